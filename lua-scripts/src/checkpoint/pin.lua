-- Pins a thread (no key of it expires) or unpins it (every key gets ttlMs again).
-- KEYS[1] checkpoints: hash ns\0id -> record
-- KEYS[2] metadata: hash ns\0id -> framed metadata filter tokens
-- KEYS[3] byNs: zset ns\0id
-- KEYS[4] byId: zset id\0ns
-- KEYS[5] blobs: hash of blobs
-- KEYS[6] writeOrder: zset of pending-write sort keys
-- KEYS[7] writes: hash of pending writes
-- KEYS[8] pin: present when the thread is pinned
-- ARGV[1] action: 'pin' or 'unpin'
-- ARGV[2] ttlMs: with 'unpin', the TTL every key of the thread gets (0 = none)
-- Reply: integer, how many data keys of the thread exist
--!include include/checkpoint-frame.lua
--!include include/checkpoint-thread.lua

local action = ARGV[1]
local ttl_ms = tonumber(ARGV[2])
local existing = 0
for i = 1, CP_DATA_KEYS do
  existing = existing + redis.call('EXISTS', KEYS[i])
end
if action == 'pin' then
  redis.call('SET', K_PIN, '1')
  for i = 1, CP_DATA_KEYS do redis.call('PERSIST', KEYS[i]) end
else
  redis.call('DEL', K_PIN)
  cp_touch(ttl_ms)
end
return existing
