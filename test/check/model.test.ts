// The model of the users collection predicts what the contract says; the runner's curl lines and
// replay settings read back as they were printed.
import { expect, test } from "vitest";
import { emptyModel, freeEmails, holder, predictPage, recase, type ModelUser, type UsersModel } from "../../harness/check/model.js";
import { curl, replaySettings } from "../../harness/check/model-run.js";

const at = "2026-11-23T12:00:00Z";
const user = (id: number, email = `u${id}@example.com`): ModelUser => ({ id, name: `User ${id}`, email, created_at: at, updated_at: at });
const model = (ids: number[]): UsersModel => ({ ...emptyModel(), users: ids.map((id) => user(id)), lastId: Math.max(0, ...ids) });

test("an empty collection has one page, with rel first and last and no prev or next", () => {
  expect(predictPage(emptyModel(), 1, 3)).toEqual({ data: [], page: 1, per_page: 3, total: 0, links: { first: 1, prev: undefined, next: undefined, last: 1 } });
});

test("the last page is ceil(total / per_page), exact multiples included", () => {
  expect(predictPage(model([1, 2, 3, 4]), 1, 2).links).toEqual({ first: 1, prev: undefined, next: 2, last: 2 });
  expect(predictPage(model([1, 2, 3, 4, 5]), 3, 2).links).toEqual({ first: 1, prev: 2, next: undefined, last: 3 });
});

test("a page past the last is empty and still links back", () => {
  const page = predictPage(model([1, 2]), 3, 2);
  expect(page.data).toEqual([]);
  expect(page.links).toEqual({ first: 1, prev: 2, next: undefined, last: 1 });
});

test("pages hold the users by id ascending, gaps and all", () => {
  expect(predictPage(model([2, 5, 9, 11]), 2, 3).data.map((u) => u.id)).toEqual([11]);
});

test("emails are held ASCII-case-insensitively: É and é differ", () => {
  const email = "émile@Example.com";
  const m = { ...emptyModel(), users: [user(1, email)] };
  expect(holder(m, "émile@EXAMPLE.COM")?.id).toBe(1);
  expect(holder(m, recase(email, "ascii-upper"))?.id).toBe(1);
  expect(holder(m, recase(email, "unicode-upper"))).toBeUndefined();
  expect(holder(m, "Émile@example.com")).toBeUndefined();
  expect(holder(m, email, 1)).toBeUndefined();
});

test("a released email is free until someone holds it again, in any ASCII case", () => {
  const m = { ...emptyModel(), users: [user(2, "B@example.com")], released: ["a@example.com", "b@example.com"] };
  expect(freeEmails(m)).toEqual(["a@example.com"]);
});

test("curl lines quote the URL and the JSON body for a POSIX shell", () => {
  expect(curl("http://127.0.0.1:8080", { method: "POST", path: "/api/users", json: { name: "O'Brien", email: "o@example.com" } })).toBe(
    `curl -sSi -X POST 'http://127.0.0.1:8080/api/users' -H 'Content-Type: application/json' --data-raw '{"name":"O'\\''Brien","email":"o@example.com"}'`,
  );
  expect(curl("http://127.0.0.1:8080", { method: "HEAD", path: "/api/users?page=2&per_page=3" })).toBe(
    `curl -sSI 'http://127.0.0.1:8080/api/users?page=2&per_page=3'`,
  );
});

test("replay settings: the seed for every check, the path only for the check it names", () => {
  expect(replaySettings("SEQ-01", {})).toEqual({ seed: 20261124 });
  const env = { CONFORMANCE_SEQUENCE_SEED: "7", CONFORMANCE_SEQUENCE_REPLAY: "SEQ-02 4:1:0 AAMB:q" };
  expect(replaySettings("SEQ-02", env)).toEqual({ seed: 7, path: "4:1:0", replayPath: "AAMB:q" });
  expect(replaySettings("SEQ-01", env)).toEqual({ seed: 7 });
  expect(() => replaySettings("SEQ-01", { CONFORMANCE_SEQUENCE_SEED: "x" })).toThrow("CONFORMANCE_SEQUENCE_SEED must be an integer");
});
