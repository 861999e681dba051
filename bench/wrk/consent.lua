-- POST /consent: a banner's "Alles weigeren" from a visitor without a cookie.
-- Each request is one choice recorded in consent_event; the answer is a 303.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local report = dofile(dir .. "report.lua")

wrk.method = "POST"
wrk.body = "action=reject_all&return_to=%2F"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"

done = report.done
