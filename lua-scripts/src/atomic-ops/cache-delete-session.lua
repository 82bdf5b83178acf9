-- Remove one session-scoped response cache entry.
-- KEYS[1] scache: hash (fields r|<queryHash>, t|<queryHash>, h|<queryHash>)
-- KEYS[2] scachex: zset member queryHash, score expiresAt in ms
-- ARGV[1] queryHash: the entry to remove
-- Reply: 1 when the entry existed, else 0
local qh = ARGV[1]
local removed = redis.call('ZREM', KEYS[2], qh)
local fields = redis.call('HDEL', KEYS[1], 'r|' .. qh, 't|' .. qh, 'h|' .. qh)
if removed + fields > 0 then
  return 1
end
return 0
