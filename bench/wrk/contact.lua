-- POST /contact: a valid message, stored with its notification mail; the
-- answer is a 303. The form body (URL-encoded, with the form token) is the
-- first argument after the URL. Each request comes from a different
-- X-Forwarded-For address (documentation prefix 2001:db8::/32, one /64 per
-- request: the rate limit counts an IPv6 client by
-- its /64), so that the per-client rate limit does not answer 429; the
-- server believes the header because it trusts 127.0.0.1 as a proxy.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local report = dofile(dir .. "report.lua")

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

local body
local count = 0

function init(args)
  body = args[1]
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

function request()
  count = count + 1
  -- The request number goes into the fourth group: the /64 is the first four.
  wrk.headers["X-Forwarded-For"] = string.format("2001:db8:%x:%x::1",
    (id or 0) * 16 + math.floor(count / 65536), count % 65536)
  return wrk.format("POST", nil, nil, body)
end

done = report.done
