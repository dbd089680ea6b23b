-- wrk script for bench/run.sh's graceful-stop runs. Prints, summed over all wrk threads:
--   "lua: sent S, responses R, non-2xx N"
-- wrk itself counts only statuses >= 400, and a request in flight on a connection the server closes is
-- silently retried on a new connection without any error count: sent - responses shows such losses
-- (beyond the at most one request per connection still in flight when wrk stops).
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  sent = 0
  responses = 0
  non2xx = 0
end

function request()
  sent = sent + 1
  return wrk.format()
end

function response(status, headers, body)
  responses = responses + 1
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local s, r, n = 0, 0, 0
  for _, thread in ipairs(threads) do
    s = s + thread:get("sent")
    r = r + thread:get("responses")
    n = n + thread:get("non2xx")
  end
  io.write(string.format("lua: sent %d, responses %d, non-2xx %d\n", s, r, n))
end
