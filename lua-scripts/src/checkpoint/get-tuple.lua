-- Reads one checkpoint of a thread, by id or the newest of a namespace, with
-- the blobs it references and its pending writes (and, for format v < 4, the
-- parent's writes to migrate pending sends). Optionally refreshes the TTL.
-- KEYS[1] checkpoints: hash ns\0id -> record
-- KEYS[2] metadata: hash ns\0id -> framed metadata filter tokens
-- KEYS[3] byNs: zset ns\0id
-- KEYS[4] byId: zset id\0ns
-- KEYS[5] blobs: hash of blobs
-- KEYS[6] writeOrder: zset of pending-write sort keys
-- KEYS[7] writes: hash of pending writes
-- KEYS[8] pin: present when the thread is pinned
-- ARGV[1] ns: encoded namespace
-- ARGV[2] id: encoded checkpoint id, '' for the newest of the namespace
-- ARGV[3] ttlMs: refresh every key of the thread to this TTL, 0 to leave it
-- Reply: { cursor '', n (0 or 1), n x block, blob count, blobs... } (see include/checkpoint-read.lua)
--!include include/checkpoint-frame.lua
--!include include/checkpoint-thread.lua
--!include include/checkpoint-read.lua

local ns = ARGV[1]
local id = ARGV[2]
local ttl_ms = tonumber(ARGV[3])

local rec
if id == '' then
  local newest = redis.call('ZREVRANGEBYLEX', K_NS, '(' .. ns .. '\1', '[' .. ns .. '\0', 'LIMIT', 0, 1)
  if #newest == 1 then
    id = string.sub(newest[1], #ns + 2)
    rec = redis.call('HGET', K_CP, newest[1])
  end
else
  rec = redis.call('HGET', K_CP, ns .. '\0' .. id)
end

local out = { '', 0 }
local blobs = cp_new_blobs()
if rec then
  out[2] = 1
  cp_emit(out, blobs, ns, id, rec)
end
cp_emit_blobs(out, blobs)
if rec then cp_touch(ttl_ms) end
return out
