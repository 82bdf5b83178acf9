-- Maps chain <-> uuid in both directions, atomically replacing stale mappings:
-- if chain pointed at another uuid, that uuid's reverse mapping is removed; if
-- uuid belonged to another chain, that chain's mapping is removed. Sets the
-- entry's expiry and collects a bounded number of expired entries. The three
-- keys expire on their own at most min(ttlMs, 1 h) after their latest entry.
-- KEYS[1] byChain: HASH chain -> "<expiry>|<uuid>" (tenant's shared slot)
-- KEYS[2] byUuid: HASH uuid -> "<expiry>|<chain>"
-- KEYS[3] expiry: ZSET uuid -> expiry (server ms, or inf)
-- ARGV[1] chain: the conversation chain
-- ARGV[2] uuid: the thread uuid
-- ARGV[3] ttlMs: milliseconds the entry lives; 0 = never expires
-- Reply: integer, how many stale mappings were replaced (0, 1 or 2)
--!include include/time.lua
--!include include/shared-backend-registry.lua
local by_chain = KEYS[1]
local by_uuid = KEYS[2]
local expiry = KEYS[3]
local chain = ARGV[1]
local uuid = ARGV[2]
local ttl_ms = tonumber(ARGV[3])

local now = server_time_ms()
sb_registry_gc(by_chain, by_uuid, expiry, now, 100)
local score = sb_expiry_score(now, ttl_ms)
local replaced = 0
-- By the invariant, a stale side needs only its own entries removed: the
-- entries of chain and uuid themselves are overwritten below.
local forward = redis.call('HGET', by_chain, chain)
if forward then
  local _, old_uuid = sb_registry_parse(forward)
  if old_uuid ~= uuid then
    redis.call('HDEL', by_uuid, old_uuid) -- old_uuid -> chain
    redis.call('ZREM', expiry, old_uuid)
    replaced = replaced + 1
  end
end
local reverse = redis.call('HGET', by_uuid, uuid)
if reverse then
  local _, old_chain = sb_registry_parse(reverse)
  if old_chain ~= chain then
    redis.call('HDEL', by_chain, old_chain) -- old_chain -> uuid
    replaced = replaced + 1
  end
end
redis.call('HSET', by_chain, chain, score .. '|' .. uuid)
redis.call('HSET', by_uuid, uuid, score .. '|' .. chain)
redis.call('ZADD', expiry, score, uuid)
sb_outlive({ by_chain, by_uuid, expiry }, expiry, score, math.min(ttl_ms, 3600000))
return replaced
