// The commands of the model-based checks. Each is one request: `check(model)` says when it applies,
// `run(model, real)` sends it, asserts that the status, the key headers (Location, Link,
// X-Total-Count) and the body are what the model predicts, then updates the model. A write the
// model predicts is refused (404, 409) changes nothing: the command then reads the collection back
// and compares it with the model, unchanged. fast-check picks the order and shrinks a failing
// sequence (harness/check/model-run.ts runs them).
import fc from "fast-check";
import { bodyOf, type Api, type ApiResponse } from "../client/http.js";
import { CheckError } from "../base/check-error.js";
import { assert, expectEqual, expectHeader, expectProblem, expectStatus, fail, linkTarget } from "./expect.js";
import { asciiLower, freeEmails, holder, lastPage, predictPage, recase, type Casing, type ModelUser, type UsersModel } from "./model.js";

/** What the commands act on: the server, and the record of what this sequence sent. */
export interface Real {
  api: Api;
  /** Every request of this sequence, in order, for the curl lines of a failure. */
  steps: Step[];
  /** A new email no other sequence or run uses: `<local>-<unique>@example.com`. */
  fresh(local: string): string;
}

export interface Step {
  method: string;
  path: string;
  json?: unknown;
  status?: number;
}

export type Command = fc.AsyncCommand<UsersModel, Real>;

/** Sends one request; a response that breaks the spec fails the command at once. */
async function send(r: Real, method: string, path: string, json?: unknown): Promise<ApiResponse> {
  const step: Step = { method, path, ...(json === undefined ? {} : { json }) };
  r.steps.push(step);
  const before = r.api.recorder.violations.length;
  const res = await r.api.request(method, path, json === undefined ? {} : { json });
  step.status = res.status;
  const violation = r.api.recorder.violations[before];
  if (violation) fail(`${violation.kind}: ${violation.message}`);
  return res;
}

// Generators keep to valid input (other checks test validation); cases and collisions come from
// the model's choices below, and the model decides what they mean.
const names = fc.constantFrom("Ada Lovelace", "Grace Hopper", "Zoë Ōkubo", "  Alan Turing  ", "李小龍", "🚀 Rocket");
const locals = fc.constantFrom("ada", "grace", "émile", "zoë", "Alan.Turing");
const casings = fc.constantFrom<Casing>("as-is", "ascii-upper", "ascii-lower", "unicode-upper");
const asciiCasings = fc.constantFrom<Casing>("as-is", "ascii-upper", "ascii-lower");
const pick = fc.nat(99);

/** Which id a command names: a user the model holds, one deleted in this sequence, or one never handed out. */
interface Target {
  kind: "live" | "deleted" | "unknown";
  pick: number;
}
const targets = fc.record({
  kind: fc.oneof({ arbitrary: fc.constant("live" as const), weight: 4 }, fc.constant("deleted" as const), fc.constant("unknown" as const)),
  pick,
});
const hasTarget = (m: Readonly<UsersModel>, t: Target) => (t.kind === "live" ? m.users.length > 0 : t.kind === "deleted" ? m.deleted.length > 0 : true);

/** The id, and the user when the server holds one under it. */
function resolve(m: Readonly<UsersModel>, t: Target): { id: number; user?: ModelUser } {
  if (t.kind === "live") {
    const user = m.users[t.pick % m.users.length]!;
    return { id: user.id, user };
  }
  // Ids only grow, and the sequence began on an empty server: no user has an id above lastId.
  return { id: t.kind === "deleted" ? m.deleted[t.pick % m.deleted.length]! : m.lastId + 1 + t.pick };
}
const showTarget = (t: Target) => `${t.kind} #${t.pick}`;

/**
 * The email a write sends: a new one, one given up earlier in this sequence, or one a user holds,
 * in some case. Whether that is taken (409) is the model's to say: "unicode-upper" of a held
 * "émile-…" is another email, ASCII-case-insensitively.
 */
type EmailChoice = { kind: "fresh"; local: string } | { kind: "released" | "held"; pick: number; casing: Casing };
const emails: fc.Arbitrary<EmailChoice> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant("fresh" as const), local: locals }), weight: 2 },
  fc.record({ kind: fc.constantFrom("released" as const, "held" as const), pick, casing: casings }),
);
const pool = (m: Readonly<UsersModel>, e: EmailChoice) => (e.kind === "held" ? m.users.map((u) => u.email) : freeEmails(m));
const hasEmail = (m: Readonly<UsersModel>, e: EmailChoice) => e.kind === "fresh" || pool(m, e).length > 0;
function email(m: Readonly<UsersModel>, r: Real, e: EmailChoice) {
  if (e.kind === "fresh") return r.fresh(e.local);
  const from = pool(m, e);
  return recase(from[e.pick % from.length]!, e.casing);
}
const showEmail = (e: EmailChoice) => (e.kind === "fresh" ? `fresh ${e.local}` : `${e.kind} #${e.pick} ${e.casing}`);

const ids = (users: ModelUser[]) => users.map((u) => u.id);

/**
 * The write just sent must be refused with `status`, and a refused request changes nothing: the
 * model stays as it is, and the collection reads back (one page of up to 100, which holds every
 * user of a sequence) exactly as the model holds it, X-Total-Count and total included.
 */
async function refused(m: Readonly<UsersModel>, r: Real, res: ApiResponse, status: number) {
  expectProblem(res, status);
  const write = r.steps.at(-1)!;
  const back = await send(r, "GET", "/api/users?per_page=100");
  const want = predictPage(m, 1, 100);
  try {
    expectStatus(back, 200);
    expectEqual(expectHeader(back, "X-Total-Count"), String(want.total), "X-Total-Count");
    const listed = bodyOf(back, "UserPage");
    expectEqual(listed.total, want.total, "total");
    expectEqual(ids(listed.data), ids(want.data), "ids on page 1 of size 100");
    for (const [i, user] of want.data.entries()) expectEqual(listed.data[i], user, `user ${user.id} in the page`);
  } catch (e) {
    if (!(e instanceof CheckError)) throw e;
    throw new CheckError(`${e.message}, after the ${write.method} ${write.path} refused with ${status}, which changes nothing`);
  }
}

/** A 200 to PUT or PATCH: the user with the members it names changed; then the model follows. */
function updated(m: UsersModel, res: ApiResponse, method: string, user: ModelUser, changes: Partial<Pick<ModelUser, "name" | "email">>) {
  expectStatus(res, 200);
  const after = bodyOf(res, "User");
  const want = { ...user, ...changes };
  expectEqual(
    [after.id, after.name, after.email, after.created_at],
    [user.id, want.name, want.email, user.created_at],
    `[id, name, email, created_at] after the ${method}`,
  );
  assert(Date.parse(after.updated_at) >= Date.parse(user.updated_at), `updated_at ${after.updated_at} of user ${user.id} is earlier than ${user.updated_at}`);
  if (asciiLower(want.email) !== asciiLower(user.email)) m.released.push(user.email);
  Object.assign(user, { name: want.name, email: want.email, updated_at: after.updated_at });
}

class Create implements Command {
  constructor(
    readonly name: string,
    readonly email: EmailChoice,
  ) {}
  check = (m: Readonly<UsersModel>) => hasEmail(m, this.email);
  async run(m: UsersModel, r: Real) {
    const address = email(m, r, this.email);
    const res = await send(r, "POST", "/api/users", { name: this.name, email: address });
    if (holder(m, address)) return refused(m, r, res, 409);
    expectStatus(res, 201);
    const user = bodyOf(res, "User");
    assert(user.id > m.lastId, `new id ${user.id} is not greater than ${m.lastId}, the highest id this sequence was given`);
    expectEqual(new URL(expectHeader(res, "Location"), r.api.baseUrl).pathname, `/api/users/${user.id}`, "Location path");
    expectEqual([user.name, user.email], [this.name, address], "[name, email] of the new user");
    expectEqual(Date.parse(user.updated_at), Date.parse(user.created_at), "updated_at (ms) vs created_at of the new user");
    m.users.push(user);
    m.lastId = user.id;
  }
  toString = () => `create(${JSON.stringify(this.name)}, ${showEmail(this.email)})`;
}

class Get implements Command {
  constructor(
    readonly target: Target,
    readonly method: "GET" | "HEAD",
  ) {}
  check = (m: Readonly<UsersModel>) => hasTarget(m, this.target);
  async run(m: UsersModel, r: Real) {
    const { id, user } = resolve(m, this.target);
    const res = await send(r, this.method, `/api/users/${id}`);
    if (this.method === "HEAD") {
      expectStatus(res, user ? 200 : 404);
      return expectEqual(res.body.length, 0, "HEAD body length");
    }
    if (!user) return void expectProblem(res, 404);
    expectStatus(res, 200);
    expectEqual(bodyOf(res, "User"), user, `user ${id}`);
  }
  toString = () => `${this.method.toLowerCase()}(${showTarget(this.target)})`;
}

class ListPage implements Command {
  constructor(
    /** Taken modulo last + 1: every page, and the first one past the end. */
    readonly page: number,
    readonly perPage: number,
    readonly method: "GET" | "HEAD",
  ) {}
  check = () => true;
  async run(m: UsersModel, r: Real) {
    const page = 1 + (this.page % (lastPage(m.users.length, this.perPage) + 1));
    const want = predictPage(m, page, this.perPage);
    const res = await send(r, this.method, `/api/users?page=${page}&per_page=${this.perPage}`);
    expectStatus(res, 200);
    expectEqual(expectHeader(res, "X-Total-Count"), String(want.total), "X-Total-Count");
    for (const rel of ["first", "last", "prev", "next"] as const) {
      const target = want.links[rel];
      const expected = target === undefined ? undefined : { page: target, per_page: this.perPage };
      expectEqual(linkTarget(res, r.api.baseUrl, rel), expected, `rel="${rel}" of page ${page}`);
    }
    if (this.method === "HEAD") return expectEqual(res.body.length, 0, "HEAD body length");
    const listed = bodyOf(res, "UserPage");
    expectEqual([listed.page, listed.per_page, listed.total], [page, this.perPage, want.total], "[page, per_page, total]");
    expectEqual(ids(listed.data), ids(want.data), `ids on page ${page} of size ${this.perPage}`);
    for (const [i, user] of want.data.entries()) expectEqual(listed.data[i], user, `user ${user.id} in the page`);
  }
  toString = () => `${this.method === "GET" ? "list" : "head-list"}(page #${this.page}, per_page ${this.perPage})`;
}

class Put implements Command {
  constructor(
    readonly target: Target,
    readonly name: string,
    /** The user keeps its own email, in this case. */
    readonly casing: Casing,
  ) {}
  check = (m: Readonly<UsersModel>) => hasTarget(m, this.target);
  async run(m: UsersModel, r: Real) {
    const { id, user } = resolve(m, this.target);
    const address = user ? recase(user.email, this.casing) : r.fresh("nobody");
    const res = await send(r, "PUT", `/api/users/${id}`, { name: this.name, email: address });
    if (!user) return refused(m, r, res, 404);
    if (holder(m, address, id)) return refused(m, r, res, 409);
    updated(m, res, "PUT", user, { name: this.name, email: address });
  }
  toString = () => `put(${showTarget(this.target)}, ${JSON.stringify(this.name)}, own email ${this.casing})`;
}

class Patch implements Command {
  constructor(
    readonly target: Target,
    /** Any subset of the members, {} included; email is the user's own, in this case. */
    readonly members: { name?: string; email?: Casing },
  ) {}
  check = (m: Readonly<UsersModel>) => hasTarget(m, this.target);
  async run(m: UsersModel, r: Real) {
    const { id, user } = resolve(m, this.target);
    const changes: { name?: string; email?: string } = {};
    if (this.members.name !== undefined) changes.name = this.members.name;
    if (this.members.email !== undefined) changes.email = user ? recase(user.email, this.members.email) : r.fresh("nobody");
    const res = await send(r, "PATCH", `/api/users/${id}`, changes);
    if (!user) return refused(m, r, res, 404);
    if (changes.email !== undefined && holder(m, changes.email, id)) return refused(m, r, res, 409);
    updated(m, res, "PATCH", user, changes);
  }
  toString = () => `patch(${showTarget(this.target)}, ${JSON.stringify(this.members)})`;
}

class Delete implements Command {
  constructor(readonly target: Target) {}
  check = (m: Readonly<UsersModel>) => hasTarget(m, this.target);
  async run(m: UsersModel, r: Real) {
    const { id, user } = resolve(m, this.target);
    const res = await send(r, "DELETE", `/api/users/${id}`);
    if (!user) return refused(m, r, res, 404);
    expectStatus(res, 204);
    expectEqual(res.body.length, 0, "DELETE body length");
    m.users.splice(m.users.indexOf(user), 1);
    m.deleted.push(id);
    m.released.push(user.email);
  }
  toString = () => `delete(${showTarget(this.target)})`;
}

/** Creates a user with, or moves another user to, the email a user holds (in another ASCII case): 409. */
class ReuseEmail implements Command {
  constructor(
    readonly via: "POST" | "PUT" | "PATCH",
    readonly owner: number,
    readonly other: number,
    readonly casing: Casing,
  ) {}
  check = (m: Readonly<UsersModel>) => m.users.length >= (this.via === "POST" ? 1 : 2);
  async run(m: UsersModel, r: Real) {
    const owner = m.users[this.owner % m.users.length]!;
    const address = recase(owner.email, this.casing);
    if (this.via === "POST") return refused(m, r, await send(r, "POST", "/api/users", { name: "Copy", email: address }), 409);
    const others = m.users.filter((u) => u !== owner);
    const other = others[this.other % others.length]!;
    // A new name beside the taken email: a server that writes before it checks shows it.
    const body = { name: `${other.name} (copy)`, email: address };
    await refused(m, r, await send(r, this.via, `/api/users/${other.id}`, body), 409);
  }
  toString = () => `reuse-email(${this.via}, owner #${this.owner}, other #${this.other}, ${this.casing})`;
}

/** Moves a user to another email (taken or not: the model says); the old one is free from then on. */
class ChangeEmail implements Command {
  constructor(
    readonly via: "PUT" | "PATCH",
    readonly user: number,
    readonly email: EmailChoice,
  ) {}
  check = (m: Readonly<UsersModel>) => m.users.length > 0 && hasEmail(m, this.email);
  async run(m: UsersModel, r: Real) {
    const user = m.users[this.user % m.users.length]!;
    const address = email(m, r, this.email);
    const res = await send(r, this.via, `/api/users/${user.id}`, this.via === "PUT" ? { name: user.name, email: address } : { email: address });
    if (holder(m, address, user.id)) return refused(m, r, res, 409);
    updated(m, res, this.via, user, { email: address });
  }
  toString = () => `change-email(${this.via}, user #${this.user}, ${showEmail(this.email)})`;
}

const perPage = fc.integer({ min: 1, max: 4 });

/** One arbitrary per command; a check chooses which to mix. */
export const commands = {
  create: fc.tuple(names, emails).map(([name, email]) => new Create(name, email)),
  get: targets.map((t) => new Get(t, "GET")),
  headUser: targets.map((t) => new Get(t, "HEAD")),
  list: fc.tuple(fc.nat(20), perPage).map(([page, n]) => new ListPage(page, n, "GET")),
  headList: fc.tuple(fc.nat(20), perPage).map(([page, n]) => new ListPage(page, n, "HEAD")),
  put: fc.tuple(targets, names, casings).map(([t, name, casing]) => new Put(t, name, casing)),
  patch: fc.tuple(targets, fc.record({ name: names, email: casings }, { requiredKeys: [] })).map(([t, members]) => new Patch(t, members)),
  delete: targets.map((t) => new Delete(t)),
  reuseEmail: fc
    .tuple(fc.constantFrom<ReuseEmail["via"]>("POST", "PUT", "PATCH"), pick, pick, asciiCasings)
    .map(([via, owner, other, casing]) => new ReuseEmail(via, owner, other, casing)),
  changeEmail: fc.tuple(fc.constantFrom<ChangeEmail["via"]>("PUT", "PATCH"), pick, emails).map(([via, user, email]) => new ChangeEmail(via, user, email)),
} satisfies Record<string, fc.Arbitrary<Command>>;
