-- A mixed CRUD workload, in a fixed cycle of 20 requests per thread:
--   10 GET /api/users/{id} of a seeded user, 3 GET /api/users?per_page=20,
--   3 POST /api/users (unique email), 2 PATCH /api/users/{id} of a seeded user (name only),
--   2 DELETE /api/users/{id} of a user this thread created (a GET instead while it has none).
-- Seeded ids are BENCH_FIRST_ID..BENCH_LAST_ID (the bench created them and deletes none of them).
-- Done means 200, 201 or 204; response() tallies every status.
local prefix = os.getenv("BENCH_EMAIL_PREFIX") or "bench"
local first = tonumber(os.getenv("BENCH_FIRST_ID") or "1")
local last = tonumber(os.getenv("BENCH_LAST_ID") or "1")
local cycle = { "get", "get", "list", "post", "get", "patch", "get", "delete", "get", "list",
                "get", "post", "get", "patch", "get", "delete", "get", "list", "post", "get" }
local json = { ["Content-Type"] = "application/json" }
local merge = { ["Content-Type"] = "application/merge-patch+json" }
local i, n, seed = 0, 0, 0
local created = {}
statuses = {}

local function user()
  seed = seed + 1
  return "/api/users/" .. (first + (seed * 7919 + tid * 104729) % (last - first + 1))
end

function request()
  i = i % #cycle + 1
  local op = cycle[i]
  if op == "delete" and #created > 0 then
    return wrk.format("DELETE", "/api/users/" .. table.remove(created), {})
  elseif op == "list" then
    return wrk.format("GET", "/api/users?per_page=20")
  elseif op == "post" then
    n = n + 1
    local body = string.format('{"name":"Mixed User","email":"%s-%d-%d@example.com"}', prefix, tid, n)
    return wrk.format("POST", "/api/users", json, body)
  elseif op == "patch" then
    n = n + 1
    return wrk.format("PATCH", user(), merge, string.format('{"name":"Renamed %d-%d"}', tid, n))
  end
  return wrk.format("GET", user())
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 201 then
    local location = headers["Location"] or headers["location"]
    local id = location and string.match(location, "(%d+)$")
    if id then table.insert(created, id) end
  end
end
