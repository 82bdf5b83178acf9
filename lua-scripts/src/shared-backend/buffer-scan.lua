-- One page of an index bucket: the ids of the live threads in it. The first
-- page (cursor "0") first drops a bounded number of expired entries.
-- ZSCAN semantics: a thread present for the whole walk is returned at least once.
-- KEYS[1] indexKey: ZSET threadId -> expiry (server ms, or inf), one index bucket
-- ARGV[1] cursor: "0" to start, then the cursor of the previous reply
-- ARGV[2] count: ZSCAN COUNT hint
-- Reply: array { nextCursor, threadId... }; nextCursor "0" when the bucket is done
--!include include/time.lua
--!include include/shared-backend-index.lua
local index_key = KEYS[1]
local cursor = ARGV[1]
local count = ARGV[2]

local now = server_time_ms()
if cursor == '0' then
  sb_gc_index(index_key, now, 1000)
end
local page = redis.call('ZSCAN', index_key, cursor, 'COUNT', count)
local items = page[2]
local out = { page[1] }
for i = 1, #items, 2 do
  if sb_alive(items[i + 1], now) then
    out[#out + 1] = items[i]
  end
end
return out
