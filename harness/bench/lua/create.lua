-- POST /api/users with an email no other request of this run uses: BENCH_EMAIL_PREFIX (fresh for
-- every run), the thread number and a counter. Only 201s count as done; response() tallies every
-- status so that a 409 (or anything else) shows in the report.
local prefix = os.getenv("BENCH_EMAIL_PREFIX") or "bench"
local n = 0
local headers = { ["Content-Type"] = "application/json" }
statuses = {}

function request()
  n = n + 1
  local body = string.format('{"name":"Bench User","email":"%s-%d-%d@example.com"}', prefix, tid, n)
  return wrk.format("POST", "/api/users", headers, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
