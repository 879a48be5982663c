// Assertions for checks. Each failure is one CheckError whose message states what was seen and
// what was expected, e.g. `status 200, expected 404`.
import { isDeepStrictEqual } from "node:util";
import LinkHeader from "http-link-header";
import { bodyOf, type ApiResponse, type Schemas } from "../client/http.js";
import { CheckError } from "../base/check-error.js";
import { mediaType } from "../client/validate.js";

const show = (v: unknown) => (typeof v === "string" ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v)));

export function fail(message: string): never {
  throw new CheckError(message);
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) fail(message);
}

export function expectEqual<T>(actual: T, expected: T, what: string) {
  if (!isDeepStrictEqual(actual, expected)) fail(`${what} is ${show(actual)}, expected ${show(expected)}`);
}

export function expectStatus(res: ApiResponse, ...expected: number[]) {
  if (!expected.includes(res.status)) fail(`status ${res.status}, expected ${expected.join(" or ")}`);
}

/** The header's value; fails when it is missing. */
export function expectHeader(res: ApiResponse, name: string): string {
  const value = res.headers[name.toLowerCase()];
  if (value === undefined) fail(`no ${name} header on the ${res.status} response`);
  return value;
}

/** A JSON object (not null, not an array), whose members are yet to be checked. */
export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** An RFC 9457 problem with the given status: problem+json, and type, title and status members. */
export function expectProblem(res: ApiResponse, status: number) {
  expectStatus(res, status);
  expectEqual(mediaType(res.headers["content-type"]), "application/problem+json", `Content-Type of the ${status}`);
  const body = res.json;
  assert(isObject(body), `the ${status} body is not a JSON object`);
  assert(typeof body.type === "string", `problem member "type" is ${show(body.type)}, expected a string`);
  assert(typeof body.title === "string", `problem member "title" is ${show(body.title)}, expected a string`);
  expectEqual(body.status, status, `problem member "status"`);
  return bodyOf(res, "Problem") as Schemas["Problem"] & Partial<Pick<Schemas["ValidationProblem"], "errors">>;
}

/** The methods an Allow header names, uppercased. */
export const allowed = (res: ApiResponse) =>
  new Set(
    expectHeader(res, "Allow")
      .split(",")
      .map((m) => m.trim().toUpperCase())
      .filter(Boolean),
  );

/**
 * The page and per_page of the Link target with this rel, or undefined when there is none. Fails
 * when the rel has several targets, or one that is not /api/users with page and per_page.
 */
export function linkTarget(res: ApiResponse, baseUrl: string, rel: string) {
  const refs = LinkHeader.parse(expectHeader(res, "Link")).rel(rel);
  if (refs.length === 0) return undefined;
  assert(refs.length === 1, `Link has ${refs.length} rel="${rel}" targets`);
  const url = new URL(refs[0]!.uri, new URL("/api/users", baseUrl));
  expectEqual(url.pathname, "/api/users", `path of rel="${rel}"`);
  const [page, perPage] = [url.searchParams.get("page"), url.searchParams.get("per_page")];
  assert(page !== null && perPage !== null, `rel="${rel}" target ${refs[0]!.uri} lacks page or per_page`);
  return { page: Number(page), per_page: Number(perPage) };
}
