-- Removes the mapping of a uuid in both directions, atomically.
-- KEYS[1] byChain: HASH chain -> "<expiry>|<uuid>"
-- KEYS[2] byUuid: HASH uuid -> "<expiry>|<chain>"
-- KEYS[3] expiry: ZSET uuid -> expiry (server ms, or inf)
-- ARGV[1] uuid: the thread uuid
-- Reply: integer, 1 when a live mapping was removed, 0 when it was unknown or had expired
--!include include/time.lua
--!include include/shared-backend-registry.lua
local by_chain = KEYS[1]
local by_uuid = KEYS[2]
local expiry = KEYS[3]
local uuid = ARGV[1]

local alive = sb_registry_live_at(redis.call('HGET', by_uuid, uuid), redis.call('TIME'))
sb_registry_remove(by_chain, by_uuid, expiry, uuid)
if alive then
  return 1
end
return 0
