-- Helper: the server's clock in milliseconds (rule 7: time comes from one clock).
-- Include with: --!include include/time.lua
local function server_time_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
