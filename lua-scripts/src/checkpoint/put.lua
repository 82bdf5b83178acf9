-- Stores one checkpoint of a thread: its record, metadata filter tokens, index
-- entries, and every channel value it was given. A value of a channel in
-- newVersions goes to the blob (channel, version). A value whose version is not
-- new is referenced where it already lies, when it is byte for byte the value
-- there (the parent's blob for that version, else the blob (channel, version)),
-- kept in the record itself when it differs from that blob, and dropped when
-- no blob of that version exists (the newVersions contract the upstream
-- validation suite checks). A value without a version is kept in the record.
-- So a read returns exactly the values put, but for that one case. The record
-- is format 3 (a MessagePack header, see include/checkpoint-frame.lua).
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
-- ARGV[9...] channels: per channel: name, version token ('' for none), blob field
--   ('' for none), state ('n' new version with a value, 'c' old version with a
--   value, 'i' a value without a version, 'e' no value), framed value ('' for 'e')
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
    local _, _, pn, pitems, pstride, pbase = cp_header(prec)
    for i = 1, pn do
      local at = pbase + pstride * (i - 1)
      from_parent[pitems[at + 1]] = { pitems[at + 2], pitems[at + 3] }
    end
  end
end

local header = { flags .. 'i', parent }
local refs = {}
local i = 9
while i <= #ARGV do
  local channel, version, field, state = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local value = ARGV[i + 4]
  local inline = ''
  if state == 'n' then
    if redis.call('HSETNX', K_BL, field, value) == 0 then
      if redis.call('HGET', K_BL, field) ~= value then
        -- another branch holds this channel version: keep ours apart
        field = field .. '\0' .. id
        redis.call('HSET', K_BL, field, value)
      end
    end
  elseif state == 'c' then
    local p = from_parent[channel]
    if p and p[1] == version and p[2] ~= '' then field = p[2] end
    local stored = redis.call('HGET', K_BL, field)
    if not stored then
      -- a version no checkpoint stored: no value (the newVersions contract)
      field = ''
    elseif stored ~= value then
      field = ''
      inline = value
    end
  elseif state == 'i' then
    field = ''
    inline = value
  else
    field = ''
  end
  if field ~= '' then refs[field] = true end
  local h = #header
  header[h + 1] = channel
  header[h + 2] = version
  header[h + 3] = field
  header[h + 4] = inline
  i = i + 5
end

local record = cmsgpack.pack(header) .. body
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
