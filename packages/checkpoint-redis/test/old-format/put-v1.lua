-- checkpoint/put.lua as shipped before inline values (record format 1), includes resolved.
-- Kept verbatim so a test can write records the old way and read them with today's saver.
-- Stores one checkpoint of a thread: its record, metadata filter tokens, index
-- entries, and the blobs of the channels in newVersions (only those). Channels
-- carried over from the parent point at the parent's blob, so a fork that
-- reuses a channel version number never sees another branch's value.
-- A carried channel the parent does not know resolves to the plain blob
-- (channel, version) if one exists now, else to no value.
-- With shallow = 1 every other checkpoint of the namespace is dropped (with its
-- writes and the blobs only it referenced). Refreshes the thread's TTL.
-- KEYS[1] checkpoints: hash ns\0id -> record
-- KEYS[2] metadata: hash ns\0id -> framed metadata filter tokens
-- KEYS[3] byNs: zset ns\0id
-- KEYS[4] byId: zset id\0ns
-- KEYS[5] blobs: hash ns\0channel\0version[\0writer] -> blob
-- KEYS[6] writeOrder: zset of pending-write sort keys
-- KEYS[7] writes: hash of pending writes
-- KEYS[8] pin: present when the thread is pinned
-- ARGV[1] ns: encoded namespace
-- ARGV[2] id: encoded checkpoint id
-- ARGV[3] parent: encoded parent checkpoint id, '' for none
-- ARGV[4] flags: record flags ('m' = format v < 4, migrate pending sends on read)
-- ARGV[5] shallow: '1' to keep only this checkpoint in the namespace
-- ARGV[6] ttlMs: TTL to set on every key of the thread, 0 for none
-- ARGV[7] body: framed checkpoint and metadata (type, bytes, type, bytes)
-- ARGV[8] tokens: framed metadata filter tokens (key, token)*
-- ARGV[9...] channels: per channel of channel_versions: name, version token,
--   blob field, state ('n' new with a value, 'e' new without one, 'c' carried), value
-- Reply: integer, how many older checkpoints a shallow put dropped (0 otherwise)
-- Helper: the framing shared with @x/checkpoint-redis (src/codec.ts). A framed
-- value is a run of items, each "<byte length in decimal>:<bytes>", so any
-- binary data (serialized values, encoded names with NUL separators) nests
-- safely. Include with: --!include include/checkpoint-frame.lua
local function cp_frame(s)
  return #s .. ':' .. s
end

-- Reads up to `max` items (all when nil) from `s` starting at byte `pos`.
-- Returns the items and the position after the last one read.
local function cp_unframe(s, pos, max)
  local out = {}
  local n = 0
  local len = #s
  while pos <= len and (max == nil or n < max) do
    local c = string.find(s, ':', pos, true)
    if not c then
      error({ err = 'ERR checkpoint: corrupt framed value' })
    end
    local size = tonumber(string.sub(s, pos, c - 1))
    n = n + 1
    out[n] = string.sub(s, c + 1, c + size)
    pos = c + size + 1
  end
  return out, pos
end

-- The header of a checkpoint record: flags, parent id (encoded, '' for none),
-- and one triple per channel of the checkpoint's channel_versions:
-- (channel, version token, blob field or '' when the channel has no value).
-- Returns flags, parent, n, triples (a flat array of 3 * n items).
local function cp_header(rec)
  local head, pos = cp_unframe(rec, 1, 3)
  local n = tonumber(head[3])
  local triples = {}
  if n > 0 then
    triples = cp_unframe(rec, pos, n * 3)
  end
  return head[1], head[2], n, triples
end
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
-- Helper: deletes checkpoints of one namespace with their metadata tokens,
-- index entries and pending writes, then the blobs only they referenced.
-- Needs include/checkpoint-frame.lua and include/checkpoint-thread.lua first.
-- Include with: --!include include/checkpoint-drop.lua

-- Deletes the pending writes of one checkpoint (prefix pcp = ns\0id\0).
local function cp_drop_writes(pcp)
  local members = cp_writes(pcp)
  if #members == 0 then return end
  local fields = {}
  for i = 1, #members do
    fields[i] = cp_write_field(pcp, members[i])
  end
  cp_hdel(K_WV, fields)
  local upper = string.sub(pcp, 1, #pcp - 1) .. '\1'
  redis.call('ZREMRANGEBYLEX', K_WO, '[' .. pcp, '(' .. upper)
end

-- Adds the blob fields a record references to the set `into` (field -> true).
local function cp_record_fields(rec, into)
  local _, _, n, triples = cp_header(rec)
  for i = 1, n do
    local f = triples[3 * i]
    if f ~= '' then into[f] = true end
  end
end

-- Drops the checkpoints `ids` (encoded) of namespace `ns`. `keep` is the set
-- of blob fields that checkpoints staying in the thread reference; blob fields
-- of dropped checkpoints outside it are deleted. With `keep` nil no blob is
-- deleted (the caller sweeps later). Returns how many were dropped.
local function cp_drop(ns, ids, keep)
  local dropped = 0
  local garbage = {}
  for i = 1, #ids do
    local id = ids[i]
    local member = ns .. '\0' .. id
    local rec = redis.call('HGET', K_CP, member)
    if rec then
      if keep then cp_record_fields(rec, garbage) end
      redis.call('HDEL', K_CP, member)
      dropped = dropped + 1
    end
    redis.call('HDEL', K_MD, member)
    redis.call('ZREM', K_NS, member)
    redis.call('ZREM', K_ID, id .. '\0' .. ns)
    cp_drop_writes(member .. '\0')
  end
  if not keep then return dropped end
  local doomed = {}
  for f in pairs(garbage) do
    if not keep[f] then doomed[#doomed + 1] = f end
  end
  cp_hdel(K_BL, doomed)
  return dropped
end

local ns = ARGV[1]
local id = ARGV[2]
local parent = ARGV[3]
local flags = ARGV[4]
local shallow = ARGV[5] == '1'
local ttl_ms = tonumber(ARGV[6])
local body = ARGV[7]
local tokens = ARGV[8]
local member = ns .. '\0' .. id

-- the parent's channel references: channel -> { version token, field }
local from_parent = {}
if parent ~= '' then
  local prec = redis.call('HGET', K_CP, ns .. '\0' .. parent)
  if prec then
    local _, _, pn, ptriples = cp_header(prec)
    for i = 1, pn do
      from_parent[ptriples[3 * i - 2]] = { ptriples[3 * i - 1], ptriples[3 * i] }
    end
  end
end

local parts = {}
local count = 0
local refs = {}
local i = 9
while i <= #ARGV do
  local channel, version, field, state = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local value = ARGV[i + 4]
  if state == 'n' then
    if redis.call('HSETNX', K_BL, field, value) == 0 then
      if redis.call('HGET', K_BL, field) ~= value then
        -- another branch holds this channel version: keep ours apart
        field = field .. '\0' .. id
        redis.call('HSET', K_BL, field, value)
      end
    end
  elseif state == 'e' then
    field = ''
  else
    local p = from_parent[channel]
    if p and p[1] == version then
      field = p[2]
    elseif redis.call('HEXISTS', K_BL, field) == 0 then
      field = ''
    end
  end
  if field ~= '' then refs[field] = true end
  count = count + 1
  parts[#parts + 1] = cp_frame(channel)
  parts[#parts + 1] = cp_frame(version)
  parts[#parts + 1] = cp_frame(field)
  i = i + 5
end

local record = cp_frame(flags) .. cp_frame(parent) .. cp_frame(tostring(count)) .. table.concat(parts) .. body
redis.call('HSET', K_CP, member, record)
if tokens ~= '' then
  redis.call('HSET', K_MD, member, tokens)
else
  redis.call('HDEL', K_MD, member)
end
redis.call('ZADD', K_NS, 0, member)
redis.call('ZADD', K_ID, 0, id .. '\0' .. ns)

local dropped = 0
if shallow then
  local members = redis.call('ZRANGEBYLEX', K_NS, '[' .. ns .. '\0', '(' .. ns .. '\1')
  local others = {}
  for k = 1, #members do
    if members[k] ~= member then
      others[#others + 1] = string.sub(members[k], #ns + 2)
    end
  end
  if #others > 0 then
    dropped = cp_drop(ns, others, refs)
  end
end

cp_touch(ttl_ms)
return dropped
