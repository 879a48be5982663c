// Runs the model-based checks: fast-check generates sequences of commands (harness/check/model-commands.ts),
// runs each on an emptied server next to a fresh model (harness/check/model.ts), and shrinks a failing
// one. A failure reads as the shrunk sequence: its curl lines, and the seed and path that replay it.
import { randomBytes } from "node:crypto";
import http from "node:http";
import fc from "fast-check";
import type { CheckContext } from "./check.js";
import { CheckError } from "../base/check-error.js";
import { shq } from "../client/curl.js";
import { bodyOf, Recorder, type Api } from "../client/http.js";
import type { ServerHandle } from "../run/servers.js";
import { emptyModel } from "./model.js";
import { commands, type Command, type Real, type Step } from "./model-commands.js";

/** Which commands a check runs, and how often fast-check picks each (relative weights). */
export type Mix = Partial<Record<keyof typeof commands, number>>;

export interface SequenceOptions {
  /** The check's id: CONFORMANCE_SEQUENCE_REPLAY names the check it replays. */
  id: string;
  sequences: number;
  maxCommands: number;
}

export const DEFAULT_SEED = 20261124;

/** CONFORMANCE_SEQUENCE_SEED, and CONFORMANCE_SEQUENCE_REPLAY="<id> <path> [<replayPath>]" printed by a failure. */
export function replaySettings(id: string, env = process.env): { seed: number; path?: string; replayPath?: string } {
  const seedText = env.CONFORMANCE_SEQUENCE_SEED ?? String(DEFAULT_SEED);
  const seed = Number(seedText);
  if (!Number.isSafeInteger(seed)) throw new CheckError(`CONFORMANCE_SEQUENCE_SEED must be an integer, got ${JSON.stringify(seedText)}`);
  const [replayId, path, replayPath] = (env.CONFORMANCE_SEQUENCE_REPLAY ?? "").trim().split(/\s+/);
  if (replayId !== id || !path) return { seed };
  return { seed, path, ...(replayPath ? { replayPath } : {}) };
}

/** Deletes every user it lists; returns why the server is not empty after that, or undefined. */
async function empty(api: Api): Promise<string | undefined> {
  for (let round = 0; round < 20; round++) {
    const res = await api.get("/api/users?per_page=100");
    const page = res.status === 200 ? bodyOf(res, "UserPage") : undefined;
    if (!page || !Array.isArray(page.data)) return `GET /api/users?per_page=100 answered ${res.status}`;
    if (page.data.length === 0) return page.total === 0 ? undefined : `total is ${page.total} when no user is listed`;
    for (const { id } of page.data) await api.delete(`/api/users/${id}`);
  }
  return "users remain after deleting 20 pages of them";
}

/** Fresh servers a check may start when it cannot empty the one it has. */
const MAX_BOOTS = 3;

/** One step as a curl command line against the server the sequence ran on. */
export function curl(baseUrl: string, step: Step) {
  const head = step.method === "HEAD" ? "-sSI" : `-sSi -X ${step.method}`;
  const body = step.json === undefined ? "" : ` -H 'Content-Type: application/json' --data-raw ${shq(JSON.stringify(step.json))}`;
  return `curl ${head} ${shq(new URL(step.path, baseUrl).href)}${body}`;
}

interface Failure {
  baseUrl: string;
  steps: Step[];
  recorder: Recorder;
  error: unknown;
}

/** The failure as one line of reason, then the shrunk sequence as curl lines and how to replay it. */
function report<Ts>(id: string, details: fc.RunDetails<Ts>, failure: Failure): string {
  const reason = failure.error instanceof Error ? failure.error.message.split("\n")[0]! : String(failure.error);
  const { steps } = failure;
  const last = steps.at(-1);
  const where = last ? `step ${steps.length} of the shrunk sequence, ${last.method} ${last.path}` : "before the first step";
  const sequence = String((details.counterexample as [Iterable<Command>] | null)?.[0] ?? "");
  const replayPath = /replayPath=("(?:[^"\\]|\\.)*")/.exec(sequence)?.[1];
  const replay = [id, details.counterexamplePath, replayPath && JSON.parse(replayPath)].filter(Boolean).join(" ");
  const lines = steps.map((s, i) => `  ${curl(failure.baseUrl, s)}   # ${s.status ?? "no response"}${i === steps.length - 1 ? `: ${reason}` : ""}`);
  return [
    `${reason}, at ${where} (seed ${details.seed}, path ${details.counterexamplePath})`,
    `The shrunk sequence, ${steps.length} requests on an emptied server (ids and timestamps are the server's):`,
    ...lines,
    `Commands: ${sequence.replace(/\s*\/\*replayPath=.*\*\/$/, "")}`,
    `Replay it: CONFORMANCE_SEQUENCE_SEED=${details.seed} CONFORMANCE_SEQUENCE_REPLAY=${shq(replay)} ` +
      `npx vitest run --project <target> suites/sequences.test.ts -t ${id}`,
  ].join("\n");
}

/**
 * Runs `options.sequences` generated sequences of up to `options.maxCommands` commands of the mix,
 * each on an emptied server (a fresh one when emptying fails), and throws a CheckError for the
 * shrunk failing sequence, if any. A fixed depth: the same sequences at any load (the check's own
 * time limit bounds a slow server); the check's note says how many ran.
 *
 * The requests share one persistent connection: a sequence tests what the answers say, not
 * connection handling (every other check opens a connection per request), and on a busy machine
 * a connection per request was most of a sequence's time. Tried and not kept: three chains of
 * sequences side by side, each on a server of its own; they started more servers at the run's
 * busiest moment, and the file ended later (docs/speed.md).
 */
export async function checkSequences(ctx: CheckContext, mix: Mix, options: SequenceOptions) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    await sequencesOn(ctx, mix, options, agent);
  } finally {
    agent.destroy();
  }
}

async function sequencesOn(ctx: CheckContext, mix: Mix, options: SequenceOptions, agent: http.Agent) {
  const command = fc.oneof(...Object.entries(mix).map(([name, weight]) => ({ arbitrary: commands[name as keyof Mix], weight: weight! })));
  const { seed, path, replayPath } = replaySettings(options.id);
  let baseUrl = ctx.api.baseUrl;
  let booted: ServerHandle | undefined;
  /** The server could not even be made ready: stop, rather than shrink against it. */
  let broken: unknown;

  const tag = randomBytes(3).toString("hex");
  let counter = 0;
  const fresh = (local: string) => `${local}-${tag}${(counter++).toString(36)}@example.com`;

  /** An empty server: this one emptied, or a fresh one when an earlier sequence left it unable to empty. */
  let boots = 0;
  async function emptyServer() {
    const why = await empty(ctx.api.at(baseUrl, new Recorder(), { agent }));
    if (why === undefined) return;
    if (++boots > MAX_BOOTS) throw new CheckError(`the server cannot be emptied before a sequence (${why}), even after ${MAX_BOOTS} fresh servers`);
    const previous = booted;
    ({ server: booted } = await ctx.boot());
    baseUrl = booted.baseUrl;
    await previous?.stop().catch(() => {});
  }

  let failure: Failure | undefined;
  let commandsRun = 0;
  const property = fc.asyncProperty(
    fc.commands([command], { maxCommands: options.maxCommands, size: "max", ...(replayPath ? { replayPath } : {}) }),
    async (cmds) => {
      if (broken) throw broken;
      await emptyServer().catch((e: unknown) => {
        broken = e;
        throw e;
      });
      const recorder = new Recorder();
      commandsRun += [...cmds].length;
      const real: Real = { api: ctx.api.at(baseUrl, recorder, { agent }), steps: [], fresh };
      try {
        await fc.asyncModelRun(() => ({ model: emptyModel(), real }), cmds);
      } catch (error) {
        failure = { baseUrl, steps: real.steps, recorder, error };
        throw error;
      }
    },
  );
  const details = await fc.check(property, { numRuns: options.sequences, seed, ...(path ? { path } : {}) });
  ctx.note(`${details.numRuns} sequences, ${commandsRun} commands`);
  if (broken) throw broken;
  if (!details.failed) return;
  if (!failure) throw new CheckError(`the sequences could not run: ${String(details.errorInstance).split("\n")[0]}`);
  // The report shows the exchanges of the shrunk sequence, not those of the last shrinking attempt.
  ctx.api.recorder.exchanges.length = 0;
  for (const exchange of failure.recorder.exchanges) ctx.api.recorder.record(exchange);
  throw new CheckError(report(options.id, details, failure));
}
