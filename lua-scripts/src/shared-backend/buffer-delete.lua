-- Deletes one thread's context buffer and its index entry, atomically.
-- KEYS[1] threadKey: LIST of the thread's slots
-- KEYS[2] indexKey: ZSET threadId -> expiry, the thread's index bucket
-- KEYS[3] opsKey: HASH of the thread's operation ids
-- KEYS[4] opsLogKey: LIST of the thread's operation ids
-- ARGV[1] threadId: the thread id as stored in the index
-- Reply: integer, 1 when the thread existed (and was alive), 0 otherwise
local thread_key = KEYS[1]
local index_key = KEYS[2]
local thread_id = ARGV[1]

local existed = redis.call('DEL', thread_key)
redis.call('ZREM', index_key, thread_id)
if #KEYS > 2 then
  redis.call('DEL', unpack(KEYS, 3, #KEYS))
end
return existed
