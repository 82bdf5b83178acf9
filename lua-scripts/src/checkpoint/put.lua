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
--!include include/checkpoint-frame.lua
--!include include/checkpoint-thread.lua
--!include include/checkpoint-drop.lua

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
