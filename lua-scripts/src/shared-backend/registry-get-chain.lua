-- Looks up the chain of a uuid; an expired entry reads as absent. Also returns
-- the server clock it judged by (see registry-get-uuid.lua).
-- KEYS[1] byUuid: HASH uuid -> "<expiry>|<chain>"
-- ARGV[1] uuid: the thread uuid
-- Reply: array { chain (nil when unknown or expired), seconds, microseconds },
--   the last two being TIME's reply
--!include include/shared-backend-registry.lua
local by_uuid = KEYS[1]
local uuid = ARGV[1]

local t = redis.call('TIME')
return { sb_registry_live_at(redis.call('HGET', by_uuid, uuid), t), t[1], t[2] }
