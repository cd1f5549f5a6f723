-- wrk script for run.sh: POSTs the JSON bodies of a file (one per line) in turn, checks every
-- response (HTTP 200, a "data" member, no "errors" member) and prints one RESULT line:
-- RESULT <rps> <p50 ms> <p99 ms> <bad responses> <requests> <socket errors>
local bodies = {}
local i = 0
bad = 0 -- global: done() reads it from every thread
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then table.insert(bodies, line) end
  end
  i = math.random(#bodies) -- threads start at different bodies
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  i = i % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[i])
end

function response(status, headers, body)
  if status ~= 200 or not body:find('"data"', 1, true) or body:find('"errors"', 1, true) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local b = 0
  for _, t in ipairs(threads) do b = b + t:get("bad") end
  local e = summary.errors
  io.write(string.format("RESULT %.1f %.2f %.2f %d %d %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, b, summary.requests,
    e.connect + e.read + e.write + e.timeout))
end
