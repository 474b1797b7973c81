-- wrk summary in one machine-readable line, for bench/check.sh. Defines only done(), so a run
-- without a request() function keeps wrk's static-request fast path.
-- non2xx is wrk's "Non-2xx or 3xx responses" count (statuses >= 400).

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f non2xx=%d"
      .. " connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, e.status,
    e.connect, e.read, e.write, e.timeout))
end
