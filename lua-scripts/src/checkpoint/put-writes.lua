-- Stores pending writes of one checkpoint (which need not exist yet: LangGraph
-- may land putWrites before the put of its checkpoint). Each write is keyed by
-- (taskId, idx) and ordered by (taskPath, taskId, idx). Per write, mode 'r'
-- overwrites an existing write (special channels: errors, interrupts, ...) and
-- 'i' keeps an existing one (insert-or-ignore), as MemorySaver does. With shallow = 1 writes for a
-- checkpoint older than the namespace's newest are ignored (it is gone).
-- Refreshes the thread's TTL.
-- KEYS[1] checkpoints: hash ns\0id -> record
-- KEYS[2] metadata: hash ns\0id -> framed metadata filter tokens
-- KEYS[3] byNs: zset ns\0id
-- KEYS[4] byId: zset id\0ns
-- KEYS[5] blobs: hash of blobs
-- KEYS[6] writeOrder: zset ns\0id\0taskPath\0taskId\0idx
-- KEYS[7] writes: hash ns\0id\0taskId\0idx -> framed write
-- KEYS[8] pin: present when the thread is pinned
-- ARGV[1] ns: encoded namespace
-- ARGV[2] id: encoded checkpoint id
-- ARGV[3] modes: one letter per write, 'r' (replace) or 'i' (ignore)
-- ARGV[4] shallow: '1' to ignore writes to a superseded checkpoint
-- ARGV[5] ttlMs: TTL to set on every key of the thread, 0 for none
-- ARGV[6...] writes: per write: sort key, field, framed write (sort key, taskId, channel, type, bytes)
-- Reply: integer, how many writes were stored
--!include include/checkpoint-frame.lua
--!include include/checkpoint-thread.lua

local ns = ARGV[1]
local id = ARGV[2]
local modes = ARGV[3]
local shallow = ARGV[4] == '1'
local ttl_ms = tonumber(ARGV[5])

if shallow then
  local newer = redis.call('ZRANGEBYLEX', K_NS, '(' .. ns .. '\0' .. id, '(' .. ns .. '\1', 'LIMIT', 0, 1)
  if #newer > 0 then
    cp_touch(ttl_ms)
    return 0
  end
end

local stored = 0
local i = 6
local w = 0
while i <= #ARGV do
  local sort_key, field, value = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  w = w + 1
  if string.byte(modes, w) == 114 then -- 'r'
    local old = redis.call('HGET', K_WV, field)
    if old then
      local old_key = cp_unframe(old, 1, 1)[1]
      if old_key ~= sort_key then redis.call('ZREM', K_WO, old_key) end
    end
    redis.call('HSET', K_WV, field, value)
    redis.call('ZADD', K_WO, 0, sort_key)
    stored = stored + 1
  elseif redis.call('HSETNX', K_WV, field, value) == 1 then
    redis.call('ZADD', K_WO, 0, sort_key)
    stored = stored + 1
  end
  i = i + 3
end

cp_touch(ttl_ms)
return stored
