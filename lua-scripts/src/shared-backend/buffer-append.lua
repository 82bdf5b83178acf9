-- Appends one slot to a thread's context buffer, sets the thread's TTL and
-- records the thread in its index bucket, all in one atomic call. A thread new
-- to the bucket also drops a bounded number of expired entries from it (TTL
-- garbage collection) and re-derives the bucket's own expiry from its latest entry.
-- KEYS[1] threadKey: LIST of the thread's slots
-- KEYS[2] indexKey: ZSET threadId -> expiry (server ms, or inf), the thread's index bucket
-- ARGV[1] threadId: the thread id, as the index stores and lists it
-- ARGV[2] slot: the slot bytes (binary-safe)
-- ARGV[3] ttlMs: milliseconds the thread lives after this write; 0 = never expires
-- Reply: integer, the 0-based index of the new slot
--!include include/time.lua
--!include include/shared-backend-index.lua
local thread_key = KEYS[1]
local index_key = KEYS[2]
local thread_id = ARGV[1]
local slot = ARGV[2]
local ttl_ms = tonumber(ARGV[3])
local gc_limit = 100

local now = server_time_ms()
local length = redis.call('RPUSH', thread_key, slot)
local score = sb_expiry_score(now, ttl_ms)
if ttl_ms > 0 then
  redis.call('PEXPIREAT', thread_key, score)
else
  redis.call('PERSIST', thread_key)
end
if redis.call('ZADD', index_key, score, thread_id) == 1 then
  sb_gc_index(index_key, now, gc_limit)
  sb_expire_with_index({ index_key }, index_key)
elseif ttl_ms > 0 then
  -- The index must outlive its latest entry. GT leaves a persistent index (one
  -- holding a never-expiring thread) persistent.
  redis.call('PEXPIREAT', index_key, score, 'GT')
else
  redis.call('PERSIST', index_key)
end
return length - 1
