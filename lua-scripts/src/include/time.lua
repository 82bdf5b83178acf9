-- Helper: the server's clock in milliseconds (rule 7: time comes from one clock).
-- Include with: --!include include/time.lua
local function server_time_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- The same clock as exact decimal text ("1763770000123"), for scripts that only
-- store the time: string work on TIME's reply, no number conversions.
local function server_time_text()
  local t = redis.call('TIME')
  return t[1] .. string.format('%03d', t[2] / 1000)
end
