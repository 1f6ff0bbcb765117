-- wrk: receipts posted by the till, each with its own operation id, spread over members.
-- KOPILKA_KEY: a till API key; KOPILKA_CARDS: card numbers separated by ';'.
local cards = {}
for c in string.gmatch(os.getenv("KOPILKA_CARDS") or "", "[^;]+") do cards[#cards + 1] = c end
local key = os.getenv("KOPILKA_KEY")
local thread_no = 0
local counter = 0
setup = function(thread)
  thread_no = thread_no + 1
  thread:set("tid", thread_no)
end
request = function()
  counter = counter + 1
  local id = string.format("%08x%08x%016x", tid or 0, os.time() % 0xffffffff, counter)
  local body = '{"operation_id":"' .. id .. '","member":{"card":"' .. cards[(counter % #cards) + 1] ..
    '"},"receipt":{"id":"B-' .. id .. '","lines":[{"sku":"tea","category":"food","unit_price":25000}]}}'
  return wrk.format("POST", "/v1/receipts",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}, body)
end
done = function(summary, latency, requests)
  io.write(string.format('{"requests":%d,"seconds":%.3f,"errors":%d,"p50_ms":%.3f,"p99_ms":%.3f}\n',
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
