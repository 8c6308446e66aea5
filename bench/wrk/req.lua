-- wrk request script for bench/run.sh (Gatehouse under wrk, for same-tool ratios against the peers that
-- can only be loaded with wrk). Same as the Keycloak peer's wrk/req.lua. Configured from the environment:
--   WRK_METHOD (GET|POST), WRK_BODY (form body), WRK_AUTH (Authorization header value)
-- done() prints one machine-readable RESULT line (latencies in ms) after wrk's own report.
local method = os.getenv("WRK_METHOD") or "GET"
wrk.method = method
if method == "POST" then
  wrk.body = os.getenv("WRK_BODY") or ""
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end
local auth = os.getenv("WRK_AUTH")
if auth and auth ~= "" then wrk.headers["Authorization"] = auth end

function done(summary, latency, requests)
  local s = summary
  local secs = s.duration / 1e6
  local e = s.errors
  io.write(string.format(
    "RESULT requests=%d duration_s=%.2f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d sock_errors=%d bytes=%d\n",
    s.requests, secs, s.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.status, e.connect + e.read + e.write + e.timeout, s.bytes))
end
