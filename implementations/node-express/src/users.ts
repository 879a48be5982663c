// The users: an in-memory store, and the rules a body must meet.
import type { FieldError } from "./problem.js";

export interface User {
  id: number;
  name: string;
  email: string;
  created_at: string;
  updated_at: string;
}

/** A validated body: an absent member is undefined. */
export interface Input {
  name?: string | undefined;
  email?: string | undefined;
}

/**
 * Emails are unique ASCII-case-insensitively: only A-Z fold. String.prototype.toLowerCase would
 * also fold É to é, which the contract keeps apart.
 */
export const emailKey = (email: string) => email.replace(/[A-Z]/g, (c) => c.toLowerCase());

/**
 * Users by id. A Map iterates in insertion order, and ids only grow, so iteration is by id
 * ascending. Node runs one handler at a time, so each method here is atomic: the email check and
 * the insert cannot interleave with another request.
 */
export class Store {
  private readonly users = new Map<number, User>();
  private readonly emails = new Map<string, number>();
  private lastId = 0;

  get size() {
    return this.users.size;
  }

  get(id: number): User | undefined {
    return this.users.get(id);
  }

  /** `count` users from the `offset`-th on, in id order. */
  page(offset: number, count: number): User[] {
    const out: User[] = [];
    if (offset >= this.users.size) return out;
    let i = 0;
    for (const user of this.users.values()) {
      if (i++ < offset) continue;
      out.push(user);
      if (out.length === count) break;
    }
    return out;
  }

  /** The new user, or "conflict" when another user holds the email. */
  create(name: string, email: string): User | "conflict" {
    const key = emailKey(email);
    if (this.emails.has(key)) return "conflict";
    const now = new Date().toISOString();
    const user = { id: ++this.lastId, name, email, created_at: now, updated_at: now };
    this.users.set(user.id, user);
    this.emails.set(key, user.id);
    return user;
  }

  /** Applies the members `input` names; "conflict" when another user holds its email. */
  update(user: User, input: Input): User | "conflict" {
    if (input.email !== undefined) {
      const holder = this.emails.get(emailKey(input.email));
      if (holder !== undefined && holder !== user.id) return "conflict";
      this.emails.delete(emailKey(user.email));
      this.emails.set(emailKey(input.email), user.id);
      user.email = input.email;
    }
    if (input.name !== undefined) user.name = input.name;
    // Never earlier than before, even if the wall clock steps back.
    const now = new Date().toISOString();
    if (now > user.updated_at) user.updated_at = now;
    return user;
  }

  delete(user: User) {
    this.users.delete(user.id);
    this.emails.delete(emailKey(user.email));
  }
}

// \p{White_Space} is the contract's whitespace exactly; ECMAScript's \s is not (it lacks U+0085
// and holds U+FEFF).
const NON_WHITESPACE = /[^\p{White_Space}]/u;
const EMAIL = /^[^\p{White_Space}@]+@[^\p{White_Space}@]+\.[^\p{White_Space}@]+$/u;

/** Length in code points, not UTF-16 units. */
const codePoints = (s: string) => [...s].length;

function nameRule(s: string): string | undefined {
  const n = codePoints(s);
  if (n < 1 || n > 100) return "must be 1 to 100 characters long";
  if (!NON_WHITESPACE.test(s)) return "must contain a character that is not whitespace";
  return undefined;
}

function emailRule(s: string): string | undefined {
  if (codePoints(s) > 254) return "must be at most 254 characters long";
  if (!EMAIL.test(s)) return "must look like name@domain.tld";
  return undefined;
}

const RULES = { name: nameRule, email: emailRule } as const;

/** RFC 6901: "~" and "/" in a member name are escaped. */
const pointer = (member: string) => `/${member.replaceAll("~", "~0").replaceAll("/", "~1")}`;

/**
 * Checks a parsed JSON body. `full` (POST, PUT) requires both members; PATCH takes any subset.
 * Every member at fault gets its own entry, so a 422 lists them all.
 */
export function validate(body: unknown, full: boolean): { input: Input; errors: FieldError[] } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { input: {}, errors: [{ pointer: "", detail: "the body must be a JSON object" }] };
  }
  const members = body as Record<string, unknown>;
  const input: Input = {};
  const errors: FieldError[] = [];
  for (const key of ["name", "email"] as const) {
    if (!Object.hasOwn(members, key)) {
      if (full) errors.push({ pointer: `/${key}`, detail: "is required" });
      continue;
    }
    const value = members[key];
    if (value === null) errors.push({ pointer: `/${key}`, detail: "must not be null" });
    else if (typeof value !== "string") errors.push({ pointer: `/${key}`, detail: "must be a string" });
    else {
      const broken = RULES[key](value);
      if (broken) errors.push({ pointer: `/${key}`, detail: broken });
      else input[key] = value;
    }
  }
  for (const key of Object.keys(members).sort()) {
    if (key !== "name" && key !== "email") errors.push({ pointer: pointer(key), detail: "is not a member of a user" });
  }
  return { input, errors };
}
