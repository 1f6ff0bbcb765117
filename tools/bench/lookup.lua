-- wrk: member lookups by card QR. KOPILKA_QR holds the QR texts, separated by ';'.
local codes = {}
for code in string.gmatch(os.getenv("KOPILKA_QR") or "", "[^;]+") do codes[#codes + 1] = code end
local n = 0
request = function()
  n = n + 1
  local body = '{"code":"' .. codes[(n % #codes) + 1] .. '"}'
  return wrk.format("POST", "/v1/members/lookup", {["Content-Type"] = "application/json"}, body)
end
done = function(summary, latency, requests)
  io.write(string.format('{"requests":%d,"seconds":%.3f,"errors":%d,"p50_ms":%.3f,"p99_ms":%.3f}\n',
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
