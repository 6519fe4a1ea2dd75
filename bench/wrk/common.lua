-- Shared by the benchmark's wrk scripts: per-thread partition of a line file, the auth header,
-- and a JSON summary line that bench/run.py parses.
local M = {}

local counter = 0
local threads = {}

function M.setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

-- Lines of `path` that belong to this thread (every n-th line), or all of them when `shared`.
function M.lines(path, shared)
  local out = {}
  local n = tonumber(os.getenv("BENCH_THREADS") or "1")
  local i = 0
  for line in io.lines(path) do
    if shared or (i % n) == tid then table.insert(out, line) end
    i = i + 1
  end
  return out
end

function M.headers()
  return {
    ["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN"),
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json",
  }
end

function M.done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end

return M
