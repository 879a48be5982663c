// Helpers that set up users for checks. They assert their own preconditions, so a check that
// fails here says which step broke.
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { bodyOf, type Api, type Schemas } from "../client/http.js";
import { expectStatus } from "./expect.js";
import { CheckError } from "../base/check-error.js";

export type User = Schemas["User"];

/** An email no other user of any run holds. */
export const uniqueEmail = (prefix = "user") => `${prefix}-${randomBytes(6).toString("hex")}@example.com`;

export async function createUser(api: Api, body: Partial<Record<"name" | "email", unknown>> = {}): Promise<User> {
  const res = await api.post("/api/users", { name: "Ada Lovelace", email: uniqueEmail(), ...body });
  expectStatus(res, 201);
  return bodyOf(res, "User");
}

/** Where a body-carrying method is sent: the collection for POST, a newly created user otherwise. */
export async function pathFor(api: Api, method: string) {
  return method === "POST" ? "/api/users" : `/api/users/${(await createUser(api)).id}`;
}

/**
 * A url: target is one server that every suite file shares, so other files may write between two
 * reads of the collection. `read` returns undefined when it saw the collection change in between;
 * it is tried again. So is a result that `holds` rejects: another client's create and delete
 * between the reads look the same as a fault from outside. After 10 attempts (2.7 s of pauses in
 * all) the last result is returned, for the check to fail on with its own message; a server with
 * a fault gets it wrong every time. Against a server of its own, a correct one answers at the first attempt.
 */
export async function whileQuiet<T>(read: () => Promise<T | undefined>, holds: (result: T) => boolean = () => true): Promise<T> {
  let last: T | undefined;
  for (let attempt = 1; attempt <= 10; attempt++) {
    // Writes come in bursts (a property check, a model-based sequence): wait a little longer each time.
    if (attempt > 1) await sleep(50 * attempt);
    const result = await read();
    if (result === undefined) continue;
    if (holds(result)) return result;
    last = result;
  }
  if (last !== undefined) return last;
  throw new CheckError("the collection changed between the reads of each of 10 attempts: another client kept writing");
}
