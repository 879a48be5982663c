// The catalogue of the contract (docs/api-contract.md): its sections in contract order with the
// suite files that check them, the levels, and the profiles. It is the only place that names them;
// the rest derives from it: the check DSL's types (Level, Profile, Section), which suite file
// holds an id prefix (CONFORMANCE_CHECKS), the report's section order, the badges' profile set,
// and, through `npm run generate`, the manifest schema's profile enum and the profile table of
// docs/adding-an-implementation.md. test/check/catalogue.test.ts holds it to the contract.

/** How strongly the contract states a point (RFC 2119); a check's title starts with its level. */
export const LEVELS = ["MUST", "SHOULD", "MAY"] as const;
export type Level = (typeof LEVELS)[number];

/**
 * The contract's headings, in its order. `suites`: the suite files (`suites/<file>.test.ts`) whose
 * `section(...)` names the heading, by the id prefix of their checks (`PAG-15` is in
 * suites/pagination.test.ts). A check may cite another heading than its file's (`RES-01` cites "The
 * container"), but never one missing here.
 */
export const SECTIONS = [
  { heading: "The container", suites: {} },
  { heading: "The resource", suites: { RES: "resource", SEQ: "sequences" } },
  { heading: "Endpoints", suites: { MTH: "methods" } },
  { heading: "Listing and pagination", suites: { PAG: "pagination" } },
  { heading: "Ids in paths", suites: { ID: "ids" } },
  { heading: "Bodies (POST, PUT, PATCH)", suites: { BODY: "bodies", VAL: "validation" } },
  { heading: "Errors", suites: { ERR: "errors" } },
  { heading: "Concurrency", suites: { CON: "concurrency" } },
  { heading: "Graceful shutdown", suites: { SHUT: "shutdown" } },
  {
    heading: "Optional profiles",
    suites: { CORS: "cors", GZIP: "compression", RID: "request-id", COND: "conditional", H2: "http2", TLS: "tls", WS: "websocket", SLOW: "slow-client" },
  },
] as const satisfies readonly { heading: string; suites: Readonly<Record<string, string>> }[];

/** A contract heading a check may cite. */
export type Section = (typeof SECTIONS)[number]["heading"];

/** The contract's headings in its order: the report's order. */
export const SECTION_ORDER: readonly Section[] = SECTIONS.map((s) => s.heading);

/** Which suite file (`suites/<file>.test.ts`) holds the checks of an id prefix. */
export const SUITE_OF_PREFIX: Readonly<Record<string, string>> = Object.fromEntries(SECTIONS.flatMap((s) => Object.entries(s.suites)));

/**
 * Every profile a check may belong to. `core` always gates; an `optional` one gates where the
 * manifest claims it (the contract's table of optional profiles, in its order); a `combined` one
 * ("a+b", optional profiles joined) holds the checks of one that apply only together with the other,
 * and gates where both are claimed.
 */
export const PROFILES = [
  { name: "core", kind: "core", description: "the MUST points of the sections before Optional profiles; always gates the run" },
  {
    name: "recommended",
    kind: "optional",
    description:
      "the SHOULD points of the core sections: a detail in every problem, no internals in error bodies, " +
      "405 or 501 for unknown methods, 400 for an id holding %2F",
  },
  { name: "validation-detail", kind: "optional", description: "a 422 lists a pointer for every member at fault, not just the first" },
  {
    name: "cors",
    kind: "optional",
    description: "a preflight OPTIONS is answered with Access-Control-Allow-Origin and -Methods; a request with Origin gets Access-Control-Allow-Origin",
  },
  { name: "compression", kind: "optional", description: "a list over 1 KiB asked for with Accept-Encoding: gzip is answered gzipped" },
  { name: "request-id", kind: "optional", description: "X-Request-Id is echoed when sent and generated when not" },
  { name: "conditional", kind: "optional", description: "an ETag on GET /api/users/{id}; If-None-Match with it gives 304, If-Match with a stale one 412" },
  { name: "http2", kind: "optional", description: "the same API over cleartext HTTP/2 with prior knowledge (h2c)" },
  {
    name: "tls",
    kind: "optional",
    description: "the same API over HTTPS on $PORT with the TLS_CERT and TLS_KEY the harness mounts; cleartext is never served",
  },
  {
    name: "websocket",
    kind: "optional",
    description: "GET /api/users/events streams one JSON message per committed change, in commit order, and closes with 1001 on SIGTERM",
  },
  { name: "slow-client", kind: "optional", description: "a client that takes over 10 s to send its request headers is cut off (408 or a closed connection)" },
  { name: "http2+tls", kind: "combined", description: "http2 over TLS with ALPN h2; gates only where both http2 and tls are claimed" },
] as const satisfies readonly { name: string; kind: "core" | "optional" | "combined"; description: string }[];

/** `core`, an optional profile, or a combined one (`http2+tls`): what a check belongs to. */
export type Profile = (typeof PROFILES)[number]["name"];
/** A profile a manifest may claim. */
export type OptionalProfile = Extract<(typeof PROFILES)[number], { kind: "optional" }>["name"];

/** The profiles a manifest may claim, in the contract's order: the badges' set, the schema's enum. */
export const OPTIONAL_PROFILES: readonly OptionalProfile[] = PROFILES.flatMap((p) => (p.kind === "optional" ? [p.name] : []));
