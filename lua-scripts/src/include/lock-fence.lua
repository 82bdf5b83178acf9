-- Helper: mint the next fencing token of one lock name.
-- The token is max(last token + 1, server time in microseconds), so it strictly
-- increases while the counter key exists, and keeps increasing after the key
-- expired: the key's TTL is stretched so that it outlives the moment the server
-- clock passes the last token it minted.
-- Returns the token, and the same as decimal text.
-- Include with: --!include include/lock-fence.lua

-- The server clock in microseconds (one TIME call), as a number and as exact decimal text (string
-- work on TIME's reply: formatting a number costs more than the rest of a mint). Scripts that need
-- both the time and a token read the clock once and pass it to lock_mint_fence.
local function lock_clock_us()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2]), t[1] .. string.sub('00000' .. t[2], -6)
end

-- fence_ttl_text: how long the counter outlives this mint, in ms, as integer text (the ARGV as
-- validated); now_us, now_text: lock_clock_us() (read here when not given).
local function lock_mint_fence(fence_key, fence_ttl_text, now_us, now_text)
  if not now_us then
    now_us, now_text = lock_clock_us()
  end
  -- The common case, one call: the clock is past the last token, so the clock is the token.
  local last = tonumber(redis.call('SET', fence_key, now_text, 'PX', fence_ttl_text, 'GET') or '0') or 0
  if now_us > last then
    return now_us, now_text
  end
  -- The counter is ahead of the clock (a clock stepped back, or a counter set ahead): count on
  -- from it, and stretch the TTL until the clock has passed it.
  local token = last + 1
  local text = string.format('%.0f', token)
  local ttl = tonumber(fence_ttl_text) + math.ceil((token - now_us) / 1000)
  redis.call('SET', fence_key, text, 'PX', string.format('%.0f', ttl))
  return token, text
end
