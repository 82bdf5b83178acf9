-- Helper: the fixed set of keys of one thread (every namespace of the thread
-- lives in these keys, so every script gets all of them in KEYS, in this order,
-- from keys.ts `threadKeys()`), HMGET in chunks, and the thread's TTL.
-- Include with: --!include include/checkpoint-thread.lua
local K_CP = KEYS[1]   -- hash: ns\0id -> checkpoint record
local K_MD = KEYS[2]   -- hash: ns\0id -> framed metadata filter tokens
local K_NS = KEYS[3]   -- zset (lex): ns\0id, every checkpoint by namespace then id
local K_ID = KEYS[4]   -- zset (lex): id\0ns, every checkpoint by id then namespace
local K_BL = KEYS[5]   -- hash: ns\0channel\0version[\0writer id] -> blob
local K_WO = KEYS[6]   -- zset (lex): ns\0id\0taskPath\0taskId\0idx, pending writes in order
local K_WV = KEYS[7]   -- hash: ns\0id\0taskId\0idx -> framed pending write
local K_PIN = KEYS[8]  -- string: present when the thread is pinned (never expires)
local CP_DATA_KEYS = 7

-- Sets a TTL of ttl_ms on every data key of the thread, unless ttl_ms <= 0 or
-- the thread is pinned. Keys created later get it from the call that creates them.
local function cp_touch(ttl_ms)
  if ttl_ms <= 0 then return end
  if redis.call('EXISTS', K_PIN) == 1 then return end
  for i = 1, CP_DATA_KEYS do
    redis.call('PEXPIRE', KEYS[i], ttl_ms)
  end
end

-- HMGET in chunks (unpack has a stack limit); missing fields come back as false.
local function cp_hmget(key, fields)
  local out = {}
  local n = #fields
  local i = 1
  while i <= n do
    local j = math.min(i + 999, n)
    local vals = redis.call('HMGET', key, unpack(fields, i, j))
    for k = 1, #vals do
      out[i + k - 1] = vals[k]
    end
    i = j + 1
  end
  return out
end

-- Deletes fields of a hash in chunks.
local function cp_hdel(key, fields)
  local n = #fields
  local i = 1
  while i <= n do
    local j = math.min(i + 999, n)
    redis.call('HDEL', key, unpack(fields, i, j))
    i = j + 1
  end
end

-- The pending-write field (dedupe key: ns\0id\0taskId\0idx) of a write-order
-- member (ns\0id\0taskPath\0taskId\0idx): drop the task path, which ends at
-- the first NUL after the checkpoint prefix (encoded names hold no raw NUL).
local function cp_write_field(pcp, member)
  local j = string.find(member, '\0', #pcp + 1, true)
  return pcp .. string.sub(member, j + 1)
end

-- The write-order members and values of one checkpoint (prefix pcp = ns\0id\0),
-- in (taskPath, taskId, idx) order.
local function cp_writes(pcp)
  local upper = string.sub(pcp, 1, #pcp - 1) .. '\1'
  local members = redis.call('ZRANGEBYLEX', K_WO, '[' .. pcp, '(' .. upper)
  if #members == 0 then return members, members end
  local fields = {}
  for i = 1, #members do
    fields[i] = cp_write_field(pcp, members[i])
  end
  return members, cp_hmget(K_WV, fields)
end
