-- Removes a tenant's whole registry (both directions and the expiry index) atomically.
-- KEYS[1] byChain: HASH chain -> "<expiry>|<uuid>"
-- KEYS[2] byUuid: HASH uuid -> "<expiry>|<chain>"
-- KEYS[3] expiry: ZSET uuid -> expiry (server ms, or inf)
-- Reply: integer, how many mappings were stored (live or expired) before the clear
local by_chain = KEYS[1]
local by_uuid = KEYS[2]
local expiry = KEYS[3]

local count = redis.call('HLEN', by_uuid)
redis.call('DEL', by_chain, by_uuid, expiry)
return count
