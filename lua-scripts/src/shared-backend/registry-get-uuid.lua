-- Looks up the uuid of a chain; an expired entry reads as absent. Also returns
-- the server clock it judged by: RedisBackend keeps an estimate of that clock
-- from these replies and answers later lookups with a plain HGET while the
-- estimate decides an entry's expiry with certainty (src/server-clock.ts).
-- KEYS[1] byChain: HASH chain -> "<expiry>|<uuid>"
-- ARGV[1] chain: the conversation chain
-- Reply: array { uuid (nil when unknown or expired), seconds, microseconds },
--   the last two being TIME's reply
--!include include/shared-backend-registry.lua
local by_chain = KEYS[1]
local chain = ARGV[1]

local t = redis.call('TIME')
return { sb_registry_live_at(redis.call('HGET', by_chain, chain), t), t[1], t[2] }
