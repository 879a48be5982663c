// Helpers that set up users for checks. They assert their own preconditions, so a check that
// fails here says which step broke.
import { randomBytes } from "node:crypto";
import type { Api } from "./http.js";
import { expectStatus } from "./expect.js";
import type { components } from "./generated/openapi.js";

export type User = components["schemas"]["User"];
export type UserPage = components["schemas"]["UserPage"];
export type Problem = components["schemas"]["ValidationProblem"];

/** An email no other user of any run holds. */
export const uniqueEmail = (prefix = "user") => `${prefix}-${randomBytes(6).toString("hex")}@example.com`;

export async function createUser(api: Api, body: Partial<Record<"name" | "email", unknown>> = {}): Promise<User> {
  const res = await api.post("/api/users", { name: "Ada Lovelace", email: uniqueEmail(), ...body });
  expectStatus(res, 201);
  return res.json as User;
}

/** Where a body-carrying method is sent: the collection for POST, a newly created user otherwise. */
export async function pathFor(api: Api, method: string) {
  return method === "POST" ? "/api/users" : `/api/users/${(await createUser(api)).id}`;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
