// "The same API over another transport" (the http2 and tls profiles): a short tour of the users
// API, one step per check, with the assertions both profiles share.
import LinkHeader from "http-link-header";
import { bodyOf, type Api, type ApiResponse } from "../client/http.js";
import { assert, expectEqual, expectHeader, expectStatus } from "./expect.js";
import { uniqueEmail, type User } from "./users.js";

export function expectHealth(res: ApiResponse) {
  expectStatus(res, 200);
  expectEqual(bodyOf(res, "Health"), { status: "ok" }, "body");
}

/** POST /api/users: 201, Location and the user as sent. */
export async function createOver(api: Api): Promise<User> {
  const sent = { name: "Carried Over", email: uniqueEmail("transport") };
  const res = await api.post("/api/users", sent);
  expectStatus(res, 201);
  const user = bodyOf(res, "User");
  expectEqual(new URL(expectHeader(res, "Location"), api.baseUrl).pathname, `/api/users/${user.id}`, "Location path");
  expectEqual({ name: user.name, email: user.email }, sent, "created name and email");
  return user;
}

/** A page of GET /api/users: rel="first" and rel="last" links, and X-Total-Count equal to total. */
export function expectListWithLinks(res: ApiResponse) {
  expectStatus(res, 200);
  const links = LinkHeader.parse(expectHeader(res, "Link"));
  for (const rel of ["first", "last"]) assert(links.rel(rel).length === 1, `Link ${JSON.stringify(res.headers.link)} lacks one rel="${rel}"`);
  expectEqual(expectHeader(res, "X-Total-Count"), String(bodyOf(res, "UserPage").total), "X-Total-Count (the body's total)");
}
