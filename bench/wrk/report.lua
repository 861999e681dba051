-- Shared by the scenario scripts: done() prints one line, "BENCH_RESULT "
-- followed by a JSON object, that bench/run reads. Times are microseconds.
local report = {}

local function int(x)
  return math.floor(x + 0.5)
end

function report.done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f},"rps":%.1f}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.timeout, e.status,
    int(latency:percentile(50)), int(latency:percentile(90)), int(latency:percentile(99)),
    int(latency.max), latency.mean, summary.requests / seconds))
end

return report
