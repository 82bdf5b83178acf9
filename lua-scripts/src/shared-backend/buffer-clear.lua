-- Deletes a batch of threads of one index bucket (their lists and index
-- entries) atomically. The caller lists the bucket first and passes the keys,
-- so every key the script touches arrives in KEYS.
-- KEYS[1] indexKey: ZSET threadId -> expiry, the bucket
-- KEYS[2...] threadKeys: LIST keys of the threads, in the order of threadIds;
--   optionally followed by their operation-id HASH keys and then their LIST
--   keys, in the same order (3 keys per thread)
-- ARGV[1...] threadIds: the thread ids as stored in the index
-- Reply: integer, how many thread lists existed and were deleted
local index_key = KEYS[1]
local deleted = 0
local n = #KEYS - 1
if n ~= #ARGV and (n ~= 3 * #ARGV or n == 0) then
  return redis.error_reply('ERR shared-backend/buffer-clear: ' .. n .. ' thread keys but ' .. #ARGV .. ' ids')
end
for i = 2, #ARGV + 1 do
  deleted = deleted + redis.call('DEL', KEYS[i])
end
if n > #ARGV then
  redis.call('DEL', unpack(KEYS, #ARGV + 2, #KEYS))
end
if #ARGV > 0 then
  redis.call('ZREM', index_key, unpack(ARGV))
end
return deleted
