-- Read one global response cache entry and count the hit, atomically.
-- KEYS[1] entry: hash { response, cachedAt, hits }
-- Reply: {} on a miss; { response, hits, cachedAt, pttl } on a hit (hits after
--        this one; pttl -1 when the entry has no expiry)
local entry = KEYS[1]
local response = redis.call('HGET', entry, 'response')
if not response then
  return {}
end
local hits = redis.call('HINCRBY', entry, 'hits', 1)
local cached_at = redis.call('HGET', entry, 'cachedAt') or '0'
return { response, hits, cached_at, redis.call('PTTL', entry) }
