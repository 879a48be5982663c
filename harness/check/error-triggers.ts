// One request per error status the contract names, each with a single fault. The errors suite
// checks the problem each is answered with; the cors and request-id suites send the same requests
// with their own headers, since their headers belong on every answer, errors included.
import type { Api, ApiResponse } from "../client/http.js";
import { createUser, uniqueEmail } from "./users.js";

export interface Trigger {
  status: number;
  /** What the request gets wrong, for titles: "a malformed id". */
  what: string;
  /** Sends the request with `headers` added; any set-up request (a user to conflict with) goes without them. */
  send(api: Api, headers?: Record<string, string>): Promise<ApiResponse>;
}

const JSON_TYPE = { "content-type": "application/json" };

export const TRIGGERS = {
  malformedId: { status: 400, what: "a malformed id", send: (api, headers) => api.get("/api/users/abc", { headers }) },
  malformedQuery: { status: 400, what: "a malformed query value", send: (api, headers) => api.get("/api/users?page=x", { headers }) },
  malformedJson: {
    status: 400,
    what: "malformed JSON",
    send: (api, headers) => api.request("POST", "/api/users", { body: "{", headers: { ...JSON_TYPE, ...headers } }),
  },
  missingUser: { status: 404, what: "a missing user", send: (api, headers) => api.get("/api/users/9223372036854775807", { headers }) },
  unknownPath: { status: 404, what: "an unknown path", send: (api, headers) => api.get("/no/such/path", { headers }) },
  wrongMethod: { status: 405, what: "a method the path does not allow", send: (api, headers) => api.request("DELETE", "/api/users", { headers }) },
  emailTaken: {
    status: 409,
    what: "an email another user holds",
    send: async (api, headers) => api.post("/api/users", { name: "Twin", email: (await createUser(api)).email }, { headers }),
  },
  // Declared by Content-Length (not chunked): the client gives the server time to answer before it sends the body.
  tooLarge: {
    status: 413,
    what: "a body over 1 MiB",
    send: (api, headers) => api.request("POST", "/api/users", { body: `"${"x".repeat(1_048_576)}"`, headers: { ...JSON_TYPE, ...headers } }),
  },
  mediaType: {
    status: 415,
    what: "an unsupported Content-Type",
    send: (api, headers) => api.request("POST", "/api/users", { body: "{}", headers: { "content-type": "text/plain", ...headers } }),
  },
  rulesBroken: {
    status: 422,
    what: "a body that breaks the rules",
    send: (api, headers) => api.post("/api/users", { name: "", email: uniqueEmail() }, { headers }),
  },
} satisfies Record<string, Trigger>;
