-- Read one session-scoped response cache entry and count the hit, atomically.
-- An entry whose expiry time has passed is removed and reported as a miss.
-- KEYS[1] scache: hash (fields r|<queryHash>, t|<queryHash>, h|<queryHash>)
-- KEYS[2] scachex: zset member queryHash, score expiresAt in ms (+inf: none)
-- ARGV[1] queryHash: the entry to read
-- Reply: {} on a miss; { response, hits, cachedAt, pttl } on a hit (pttl -1 when the
--        entry has no expiry of its own)
--!include include/time.lua
local hash_key, exp_key = KEYS[1], KEYS[2]
local qh = ARGV[1]
local score = redis.call('ZSCORE', exp_key, qh)
if not score then
  return {}
end
local now = server_time_ms()
local pttl = -1
if score ~= 'inf' then
  local expires_at = tonumber(score)
  if expires_at <= now then
    redis.call('HDEL', hash_key, 'r|' .. qh, 't|' .. qh, 'h|' .. qh)
    redis.call('ZREM', exp_key, qh)
    return {}
  end
  pttl = expires_at - now
end
local response = redis.call('HGET', hash_key, 'r|' .. qh)
if not response then
  return {}
end
local hits = redis.call('HINCRBY', hash_key, 'h|' .. qh, 1)
local cached_at = redis.call('HGET', hash_key, 't|' .. qh) or '0'
return { response, hits, cached_at, pttl }
