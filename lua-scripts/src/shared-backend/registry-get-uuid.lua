-- Looks up the uuid of a chain; an expired entry reads as absent.
-- KEYS[1] byChain: HASH chain -> "<expiry>|<uuid>"
-- ARGV[1] chain: the conversation chain
-- Reply: bulk string uuid, or nil when unknown or expired
--!include include/time.lua
--!include include/shared-backend-registry.lua
local by_chain = KEYS[1]
local chain = ARGV[1]

return sb_registry_live(redis.call('HGET', by_chain, chain))
