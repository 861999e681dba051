-- GET with fixed request headers, given after the URL as "Name: value":
--   wrk ... -s bench/wrk/get.lua URL -- 'Accept-Encoding: gzip' 'Cookie: a=b'
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local report = dofile(dir .. "report.lua")

function init(args)
  for _, h in ipairs(args) do
    local name, value = h:match("^([^:]+):%s*(.*)$")
    if name then
      wrk.headers[name] = value
    end
  end
end

done = report.done
