// Sequences: random runs of requests, each answer checked against a model of the users collection
// (harness/check/model.ts), so that faults which only a sequence of requests reveals are found and shrunk.
import { section } from "../harness/check/check.js";
import { checkSequences, type Mix } from "../harness/check/model-run.js";

// Each sequence starts by emptying the server (requires: "fresh"): a url: target is someone else's data.
const { check } = section("The resource");

const SEQUENCES = 30;
const MAX_COMMANDS = 25;

/** Commands and how often each is picked: creates often enough that the others have users to act on. */
const USERS: Mix = { create: 4, get: 2, headUser: 1, put: 2, patch: 2, delete: 2, reuseEmail: 2, changeEmail: 2 };
const PAGES: Mix = { create: 4, put: 1, patch: 1, delete: 2, list: 3, headList: 1 };

const sequences = [
  ["SEQ-01", "The resource", "answer as a model of the users predicts over random sequences of creates, reads, updates, deletes and email reuses", USERS],
  [
    "SEQ-02",
    "Listing and pagination",
    "list pages, X-Total-Count and Link as a model of the users predicts between random creates, updates and deletes",
    PAGES,
  ],
] as const;

for (const [id, where, what, mix] of sequences) {
  const title = `MUST ${what} (${SEQUENCES} sequences of up to ${MAX_COMMANDS})`;
  check({ id, level: "MUST", section: where, title, requires: "fresh", timeoutMs: 120_000 }, (ctx) =>
    checkSequences(ctx, mix, { id, sequences: SEQUENCES, maxCommands: MAX_COMMANDS }),
  );
}
