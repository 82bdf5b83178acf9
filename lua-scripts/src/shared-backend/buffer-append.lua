-- Appends one slot to a thread's context buffer, sets the thread's TTL and
-- records the thread in its index bucket, all in one atomic call. A thread new
-- to the bucket also drops a bounded number of expired entries from it (TTL
-- garbage collection) and re-derives the bucket's own expiry from its latest entry.
-- KEYS[1] threadKey: LIST of the thread's slots
-- KEYS[2] indexKey: ZSET threadId -> expiry (server ms, or inf), the thread's index bucket
-- ARGV[1] threadId: the thread id, as the index stores and lists it
-- ARGV[2] slot: the slot bytes (binary-safe)
-- With an operation id, the append is applied once: a retry with the same id
-- and the same slot returns the first index and writes nothing; the same id
-- with another slot is refused. The thread remembers its last maxOperationIds ids.
-- KEYS[3] opsKey: HASH operationId -> "<sha1 of the slot>:<index>" (with an operation id)
-- KEYS[4] opsLogKey: LIST of remembered operation ids, oldest first (with an operation id)
-- ARGV[3] ttlMs: milliseconds the thread lives after this write; 0 = never expires
-- ARGV[4] operationId: idempotency key ('' or absent = none)
-- ARGV[5] maxOperationIds: how many operation ids the thread remembers (>= 1)
-- Reply: integer, the 0-based index of the new slot (of the first append, for a
--        retry); -1 when the operation id was used for another slot (nothing written)
--!include include/time.lua
--!include include/shared-backend-index.lua
local thread_key = KEYS[1]
local index_key = KEYS[2]
local ops_key = KEYS[3]
local ops_log_key = KEYS[4]
local thread_id = ARGV[1]
local slot = ARGV[2]
local ttl_ms = tonumber(ARGV[3])
local op_id = ARGV[4] or ''
local gc_limit = 100

local fingerprint
if op_id ~= '' then
  fingerprint = redis.sha1hex(slot)
  local stored = redis.call('HGET', ops_key, op_id)
  if stored then
    local sep = string.find(stored, ':', 1, true)
    if string.sub(stored, 1, sep - 1) ~= fingerprint then
      return -1
    end
    return tonumber(string.sub(stored, sep + 1))
  end
end

local now = server_time_ms()
local length = redis.call('RPUSH', thread_key, slot)
local score = sb_expiry_score(now, ttl_ms)
local thread_keys = { thread_key }
if op_id ~= '' then
  redis.call('HSET', ops_key, op_id, fingerprint .. ':' .. string.format('%d', length - 1))
  local n = redis.call('RPUSH', ops_log_key, op_id)
  local max_ops = tonumber(ARGV[5])
  while n > max_ops do
    redis.call('HDEL', ops_key, redis.call('LPOP', ops_log_key))
    n = n - 1
  end
  thread_keys = { thread_key, ops_key, ops_log_key }
end
for _, key in ipairs(thread_keys) do
  if ttl_ms > 0 then
    redis.call('PEXPIREAT', key, score)
  else
    redis.call('PERSIST', key)
  end
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
