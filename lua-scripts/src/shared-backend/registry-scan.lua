-- One page of a tenant's registry: live uuid/chain pairs. The first page
-- (cursor "0") first collects a bounded number of expired entries.
-- HSCAN semantics: an entry present for the whole walk is returned at least once.
-- KEYS[1] byChain: HASH chain -> "<expiry>|<uuid>"
-- KEYS[2] byUuid: HASH uuid -> "<expiry>|<chain>"
-- KEYS[3] expiry: ZSET uuid -> expiry (server ms, or inf)
-- ARGV[1] cursor: "0" to start, then the cursor of the previous reply
-- ARGV[2] count: HSCAN COUNT hint
-- Reply: array { nextCursor, uuid, chain, uuid, chain, ... }
--!include include/time.lua
--!include include/shared-backend-registry.lua
local by_chain = KEYS[1]
local by_uuid = KEYS[2]
local expiry = KEYS[3]
local cursor = ARGV[1]
local count = ARGV[2]

local now = server_time_ms()
if cursor == '0' then
  sb_registry_gc(by_chain, by_uuid, expiry, now, 1000)
end
local page = redis.call('HSCAN', by_uuid, cursor, 'COUNT', count)
local items = page[2]
local out = { page[1] }
for i = 1, #items, 2 do
  local score, chain = sb_registry_parse(items[i + 1])
  if sb_alive(score, now) then
    out[#out + 1] = items[i]
    out[#out + 1] = chain
  end
end
return out
