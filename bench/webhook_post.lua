-- wrk script for signed webhooks: REQUESTS names a file of "timestamp<TAB>signature<TAB>body" lines
-- (bench/webhook_requests.py); wrk's two threads take alternate lines. DELAY_MS paces each connection: that many
-- milliseconds between its requests, or with DELAY_SPREAD=1 a wait drawn from 0 to twice that (arrivals spread out).
local threads = 0
function setup(thread) thread:set("tid", threads); threads = threads + 1 end
function init(args)
  reqs, i, n = {}, 0, 0
  for line in io.lines(os.getenv("REQUESTS")) do
    n = n + 1
    if n % 2 == tid then
      local ts, sig, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
      reqs[#reqs + 1] = wrk.format("POST", nil, {["Content-Type"] = "application/json", ["X-Webhook-Hmac"] = sig,
        ["X-Webhook-Hmac-Algorithm"] = "sha512", ["X-Webhook-Timestamp"] = ts}, body)
    end
  end
end
function request() i = i % #reqs + 1; return reqs[i] end
local pause, spread = tonumber(os.getenv("DELAY_MS") or ""), os.getenv("DELAY_SPREAD") == "1"
function delay()
  if not pause then return 0 end
  if spread then return math.random(0, 2 * pause) end
  return pause
end
