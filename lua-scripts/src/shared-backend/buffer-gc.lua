-- Drops expired entries of one index bucket and counts the live threads in it.
-- KEYS[1] indexKey: ZSET threadId -> expiry (server ms, or inf), one index bucket
-- ARGV[1] limit: at most this many expired entries are removed by this call
-- Reply: array { removed, alive }
--!include include/time.lua
--!include include/shared-backend-index.lua
local index_key = KEYS[1]
local limit = tonumber(ARGV[1])

local now = server_time_ms()
local removed = sb_gc_index(index_key, now, limit)
local alive = redis.call('ZCOUNT', index_key, string.format('%d', now), '+inf')
return { removed, alive }
