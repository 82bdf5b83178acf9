-- Helper: writing response cache entries for atomic-ops.
-- Include with: --!include include/atomic-ops-cache.lua
-- A global entry is one hash { response, cachedAt, hits } with its own TTL.
-- The session-scoped cache keeps every entry of one session in one hash
-- (fields r|<queryHash>, t|<queryHash>, h|<queryHash>) and their expiry times
-- in a zset (member queryHash, score expiresAt in ms, +inf for no expiry).

-- Writes one global cache entry; hits start at 0. ttl_ms 0 = no expiry.
local function cache_put(key, response, ttl_ms, now)
  redis.call('HSET', key, 'response', response, 'cachedAt', now, 'hits', 0)
  if ttl_ms > 0 then
    redis.call('PEXPIRE', key, ttl_ms)
  else
    redis.call('PERSIST', key)
  end
end

-- Forgets up to 100 session-scoped entries whose expiry time has passed.
local function session_cache_prune(hash_key, exp_key, now)
  local expired = redis.call('ZRANGEBYSCORE', exp_key, '-inf', now, 'LIMIT', 0, 100)
  for i = 1, #expired do
    local qh = expired[i]
    redis.call('HDEL', hash_key, 'r|' .. qh, 't|' .. qh, 'h|' .. qh)
  end
  if #expired > 0 then
    redis.call('ZREM', exp_key, unpack(expired))
  end
end

-- Writes one session-scoped entry; hits start at 0. ttl_ms 0 = as long as the session.
local function session_cache_put(hash_key, exp_key, qh, response, ttl_ms, now)
  session_cache_prune(hash_key, exp_key, now)
  redis.call('HSET', hash_key, 'r|' .. qh, response, 't|' .. qh, now, 'h|' .. qh, 0)
  if ttl_ms > 0 then
    redis.call('ZADD', exp_key, now + ttl_ms, qh)
  else
    redis.call('ZADD', exp_key, '+inf', qh)
  end
end
