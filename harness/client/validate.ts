// Validates every response against spec/openapi.yaml: a documented status, a documented media
// type, and a body (and required headers) that match the schema. Each failure names which it is.
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { loadSpec, type Json } from "./spec.js";

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

export type ViolationKind = "undocumented status" | "wrong media type" | "schema violation";
export interface Violation {
  kind: ViolationKind;
  message: string;
}

export const spec: Json = await loadSpec();
// JSON Schema counts minLength/maxLength in code points, and so does ajv (its default; the
// `unicode` option that once turned it off is deprecated). Patterns are compiled with the `u` flag,
// so the spelled-out whitespace escapes (\u0085, \u3000, ...) are read as code points.
const ajv = new Ajv2020({ allErrors: true, strict: false, unicodeRegExp: true, validateSchema: false });
addFormats(ajv);
ajv.addSchema(spec, "openapi");

const compiled = new Map<string, ValidateFunction>();
/** The compiled schema at a JSON Pointer into the spec, e.g. /components/schemas/User. */
export function validator(pointer: string): ValidateFunction {
  let fn = compiled.get(pointer);
  if (!fn) {
    fn = ajv.compile({ $ref: `openapi#${pointer}` });
    compiled.set(pointer, fn);
  }
  return fn;
}

/** Methods the API serves on some path; any other token is one the server implements nowhere. */
const API_METHODS = new Set(Object.values<Json>(spec.paths).flatMap((item) => Object.keys(item).filter((k) => k !== "parameters")));

/** A problem object whose status is `status`: the schema each error response of the spec pins. */
function problemWithStatus(status: number): ValidateFunction {
  const key = `problem ${status}`;
  let fn = compiled.get(key);
  if (!fn) {
    fn = ajv.compile({ allOf: [{ $ref: "openapi#/components/schemas/Problem" }, { properties: { status: { const: status } } }] });
    compiled.set(key, fn);
  }
  return fn;
}

/**
 * A method the API implements nowhere (QUERY, PROPFIND, TRACE, a made-up token) MUST NOT get a 2xx;
 * 405 with Allow or 501 is the SHOULD, which the `recommended` checks test. Any other 4xx or 5xx
 * meets the MUST, and is still a problem object whose status is the response's.
 */
const ANY_PROBLEM = { description: "An error to a method the server does not implement.", content: { "application/problem+json": {} } };
function unimplementedMethod(status: number): Json | undefined {
  if (status === 405) return { $ref: "#/components/responses/MethodNotAllowed" };
  if (status === 501) return { $ref: "#/components/responses/NotImplemented" };
  return status >= 400 && status <= 599 ? ANY_PROBLEM : undefined;
}

const escapePointer = (s: string) => s.replaceAll("~", "~0").replaceAll("/", "~1");
const deref = (node: Json): [Json, string | undefined] =>
  node.$ref
    ? [
        node.$ref
          .slice(2)
          .split("/")
          .reduce((n: Json, k: string) => n[k.replaceAll("~1", "/").replaceAll("~0", "~")], spec),
        node.$ref.slice(1),
      ]
    : [node, undefined];

/** The spec path template a concrete path matches, e.g. /api/users/abc -> /api/users/{id}. */
export function matchPath(path: string): string | undefined {
  const segments = path.split("?")[0]!.split("/");
  return Object.keys(spec.paths).find((template) => {
    const parts = template.split("/");
    return parts.length === segments.length && parts.every((p, i) => (p.startsWith("{") ? segments[i] !== "" : p === segments[i]));
  });
}

/** The media type of a Content-Type, lowercased, without its parameters. */
export const mediaType = (contentType: string | undefined) => contentType?.split(";")[0]?.trim().toLowerCase();

export interface Exchange {
  method: string;
  path: string;
  status: number;
  headers: Record<string, string | undefined>;
  body: Buffer;
}

/** Returns the first way the response breaks the spec, or undefined. */
export function validateResponse({ method, path, status, headers, body }: Exchange): Violation | undefined {
  const template = matchPath(path);
  const m = method.toLowerCase();
  let where: string;
  let response: Json | undefined;
  if (m === "options") return undefined; // left to the cors profile: the core never sends it
  if (!API_METHODS.has(m)) {
    where = `${method} ${template ?? path} (a method the API implements nowhere: never a 2xx)`;
    response = unimplementedMethod(status);
  } else if (!template) {
    where = `${method} ${path} (a path the spec does not list)`;
    response = status === 404 ? { $ref: "#/components/responses/NotFound" } : undefined;
  } else if (!spec.paths[template][m]) {
    where = `${method} ${template} (a method the path does not list)`;
    response = status === 405 ? { $ref: "#/components/responses/MethodNotAllowed" } : undefined;
  } else {
    where = `${method} ${template}`;
    response = spec.paths[template][m].responses[String(status)];
  }
  if (!response) return { kind: "undocumented status", message: `undocumented status ${status} for ${where}` };
  const [resolved, ref] = deref(response);
  // Only an operation's own responses are written inline; the others are $refs (or ANY_PROBLEM).
  const pointer = ref ?? `/paths/${escapePointer(template ?? "")}/${m}/responses/${status}`;

  for (const [name, header] of Object.entries<Json>(resolved.headers ?? {})) {
    const [h, headerRef] = deref(header);
    const value = headers[name.toLowerCase()];
    if (value === undefined) {
      if (h.required) return { kind: "schema violation", message: `required header ${name} missing on ${status} for ${where}` };
      continue;
    }
    const check = validator(`${headerRef ?? `${pointer}/headers/${escapePointer(name)}`}/schema`);
    if (!check(value))
      return { kind: "schema violation", message: `header ${name}: ${JSON.stringify(value)} ${ajv.errorsText(check.errors, { dataVar: name })}` };
  }

  const content: Json | undefined = resolved.content;
  if (m === "head" || !content) {
    if (m !== "head" && body.length > 0) {
      return { kind: "schema violation", message: `${status} for ${where} must have an empty body, got ${body.length} bytes` };
    }
    return undefined;
  }
  const type = mediaType(headers["content-type"]);
  if (!type || !content[type]) {
    return {
      kind: "wrong media type",
      message: `wrong media type ${type ?? "(no Content-Type)"} for ${status} on ${where}; documented: ${Object.keys(content).join(", ")}`,
    };
  }
  let data: unknown;
  try {
    data = JSON.parse(body.toString("utf8"));
  } catch {
    return { kind: "schema violation", message: `${status} body for ${where} is not JSON: ${JSON.stringify(body.subarray(0, 80).toString())}` };
  }
  const check = response === ANY_PROBLEM ? problemWithStatus(status) : validator(`${pointer}/content/${escapePointer(type)}/schema`);
  if (!check(data)) return { kind: "schema violation", message: `${status} body for ${where}: ${ajv.errorsText(check.errors, { dataVar: "body" })}` };
  return undefined;
}
