-- POST /consent: a banner's "Alles weigeren" from a visitor without a cookie.
-- Each request is one choice recorded in consent_event; the answer is a 303.
-- Each request comes from its own visitor, as on the site: its own
-- X-Forwarded-For address (documentation prefix 2001:db8::/32, one /64 per
-- request, since the rate limit counts an IPv6 client by its /64), so the
-- per-client limit counts every choice in PostgreSQL at its default (60 a
-- minute) and answers none with 429; the server believes the header because
-- it trusts 127.0.0.1 as a proxy.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local report = dofile(dir .. "report.lua")

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

local body = "action=reject_all&return_to=%2F"
local count = 0

function init(args)
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

function request()
  count = count + 1
  -- The thread in the third group (apart from POST /contact's), the
  -- request number in the third and fourth: the /64 is the first four.
  wrk.headers["X-Forwarded-For"] = string.format("2001:db8:%x:%x::1",
    0x8000 + (id or 0) * 16 + math.floor(count / 65536), count % 65536)
  return wrk.format("POST", nil, nil, body)
end

done = report.done
