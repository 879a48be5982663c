-- Appended to every scenario script by harness/bench/wrk.ts. setup() numbers the threads (tid),
-- done() prints the summary as one JSON line that wrk.ts parses: counts, errors, latency in
-- microseconds, and the statuses the scenario's response() counted in each thread, if any.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function done(summary, latency, requests)
  local statuses = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    if type(s) == "table" then
      for code, n in pairs(s) do
        statuses[code] = (statuses[code] or 0) + n
      end
    end
  end
  local parts = {}
  for code, n in pairs(statuses) do
    table.insert(parts, string.format('"%s":%d', tostring(code), n))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_WRK {"duration_us":%d,"requests":%d,"bytes":%d,'
      .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
      .. '"latency_us":{"mean":%.1f,"max":%d,"p50":%d,"p90":%d,"p99":%d},"statuses":{%s}}\n',
    summary.duration, summary.requests, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.max, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    table.concat(parts, ",")))
end
