// A plain-object model of the users collection for the model-based checks (suites/sequences.test.ts):
// what the server holds after the requests of one sequence, and what the contract says it must
// answer next. Ids and timestamps are the server's to choose: the model learns them from responses
// and predicts only what the contract fixes (a new id is higher, created_at never changes).
import type { User } from "./users.js";

export type ModelUser = User;

export interface UsersModel {
  /** The users the server holds, by id ascending (ids only grow, so creates append). */
  users: ModelUser[];
  /** Ids deleted in this sequence: 404 from then on. */
  deleted: number[];
  /** Emails users gave up in this sequence (changed away, or deleted with their user). */
  released: string[];
  /** The highest id the server handed out in this sequence; 0 before the first create. */
  lastId: number;
}

/** Every sequence starts on an empty server. */
export const emptyModel = (): UsersModel => ({ users: [], deleted: [], released: [], lastId: 0 });

/** Emails are unique ASCII-case-insensitively: only A-Z fold, so É and é differ. */
export const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

export type Casing = "as-is" | "ascii-upper" | "ascii-lower" | "unicode-upper";

/** The email spelled in another case; "unicode-upper" also changes non-ASCII letters, making another email. */
export function recase(email: string, casing: Casing): string {
  switch (casing) {
    case "as-is":
      return email;
    case "ascii-upper":
      return email.replace(/[a-z]/g, (c) => c.toUpperCase());
    case "ascii-lower":
      return asciiLower(email);
    case "unicode-upper":
      return email.toUpperCase();
  }
}

/** The user, other than the one with id `except`, that holds `email`; such a write is 409. */
export const holder = (m: Readonly<UsersModel>, email: string, except?: number) =>
  m.users.find((u) => u.id !== except && asciiLower(u.email) === asciiLower(email));

/** Emails given up in this sequence that no user holds now: free to take again. */
export const freeEmails = (m: Readonly<UsersModel>) => [...new Set(m.released.filter((e) => !holder(m, e)))];

/** The last page: max(1, ceil(total / per_page)). */
export const lastPage = (total: number, perPage: number) => Math.max(1, Math.ceil(total / perPage));

export interface PagePrediction {
  data: ModelUser[];
  page: number;
  per_page: number;
  total: number;
  /** The page each rel's target names; undefined where the rel must be absent. */
  links: Record<"first" | "prev" | "next" | "last", number | undefined>;
}

/** GET /api/users?page=P&per_page=N for 1 <= N <= 100 and P >= 1 (no clamping: other checks test it). */
export function predictPage(m: Readonly<UsersModel>, page: number, perPage: number): PagePrediction {
  const total = m.users.length;
  const last = lastPage(total, perPage);
  return {
    data: m.users.slice((page - 1) * perPage, page * perPage),
    page,
    per_page: perPage,
    total,
    links: { first: 1, prev: page > 1 ? page - 1 : undefined, next: page < last ? page + 1 : undefined, last },
  };
}
