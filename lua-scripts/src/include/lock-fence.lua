-- Helper: mint the next fencing token of one lock name.
-- The token is max(last token + 1, server time in microseconds), so it strictly
-- increases while the counter key exists, and keeps increasing after the key
-- expired: the key's TTL is stretched so that it outlives the moment the server
-- clock passes the last token it minted.
-- Returns the token, and the same as decimal text.
-- Include with: --!include include/lock-fence.lua
-- The server clock in microseconds (one TIME call): scripts that need both the time and a token
-- read the clock once and pass it to lock_mint_fence.
local function lock_clock_us()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end

local function lock_mint_fence(fence_key, fence_ttl_ms, now_us)
  now_us = now_us or lock_clock_us()
  local last = tonumber(redis.call('GET', fence_key) or '0') or 0
  local token = last + 1
  if now_us > token then
    token = now_us
  end
  local ahead_ms = math.ceil((token - now_us) / 1000)
  local text = string.format('%.0f', token)
  redis.call('SET', fence_key, text, 'PX', fence_ttl_ms + ahead_ms)
  return token, text
end
