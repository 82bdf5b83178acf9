-- Collects expired registry entries and counts the live ones.
-- KEYS[1] byChain: HASH chain -> "<expiry>|<uuid>"
-- KEYS[2] byUuid: HASH uuid -> "<expiry>|<chain>"
-- KEYS[3] expiry: ZSET uuid -> expiry (server ms, or inf)
-- ARGV[1] limit: at most this many expired entries are removed by this call
-- Reply: array { removed, alive }
--!include include/time.lua
--!include include/shared-backend-registry.lua
local by_chain = KEYS[1]
local by_uuid = KEYS[2]
local expiry = KEYS[3]
local limit = tonumber(ARGV[1])

local now = server_time_ms()
local removed = sb_registry_gc(by_chain, by_uuid, expiry, now, limit)
local alive = redis.call('ZCOUNT', expiry, string.format('%d', now), '+inf')
return { removed, alive }
