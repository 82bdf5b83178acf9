-- Helper: mint the next fencing token of one lock name.
-- The token is max(last token + 1, server time in microseconds), so it strictly
-- increases while the counter key exists, and keeps increasing after the key
-- expired: the key's TTL is stretched so that it outlives the moment the server
-- clock passes the last token it minted.
-- Include with: --!include include/lock-fence.lua
local function lock_mint_fence(fence_key, fence_ttl_ms)
  local t = redis.call('TIME')
  local now_us = tonumber(t[1]) * 1000000 + tonumber(t[2])
  local last = tonumber(redis.call('GET', fence_key) or '0') or 0
  local token = last + 1
  if now_us > token then
    token = now_us
  end
  local ahead_ms = math.ceil((token - now_us) / 1000)
  redis.call('SET', fence_key, string.format('%.0f', token), 'PX', fence_ttl_ms + ahead_ms)
  return token
end
