-- Looks up the chain of a uuid; an expired entry reads as absent.
-- KEYS[1] byUuid: HASH uuid -> "<expiry>|<chain>"
-- ARGV[1] uuid: the thread uuid
-- Reply: bulk string chain, or nil when unknown or expired
--!include include/time.lua
--!include include/shared-backend-registry.lua
local by_uuid = KEYS[1]
local uuid = ARGV[1]

return sb_registry_live(redis.call('HGET', by_uuid, uuid))
