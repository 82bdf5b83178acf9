-- Walks the parent chain of a checkpoint for getDeltaChannelHistory: for each
-- ancestor (newest first) the pending writes to the channels still open, and
-- for each channel the value of the nearest ancestor that stored one (its
-- seed: the blob it references or the value kept in its record), after which the channel's walk ends. At most `steps` ancestors per
-- call; the reply says where to continue. Optionally refreshes the TTL.
-- KEYS[1] checkpoints: hash ns\0id -> record
-- KEYS[2] metadata: hash ns\0id -> framed metadata filter tokens
-- KEYS[3] byNs: zset ns\0id
-- KEYS[4] byId: zset id\0ns
-- KEYS[5] blobs: hash of blobs
-- KEYS[6] writeOrder: zset of pending-write sort keys
-- KEYS[7] writes: hash of pending writes
-- KEYS[8] pin: present when the thread is pinned
-- ARGV[1] ns: encoded namespace
-- ARGV[2] start: 'target' (walk from the parent of `id`) or 'at' (walk from `id` itself)
-- ARGV[3] id: encoded checkpoint id; with 'target', '' for the newest of the namespace
-- ARGV[4] steps: most ancestors to visit in this call
-- ARGV[5] ttlMs: refresh every key of the thread to this TTL, 0 to leave it
-- ARGV[6...] channels: the channel names still being walked
-- Reply: { next id to continue 'at' ('' when done), n, n x (id, w, w x write, s, s x (channel position in ARGV[6...], blob)) }
--!include include/checkpoint-frame.lua
--!include include/checkpoint-thread.lua

local ns = ARGV[1]
local mode = ARGV[2]
local id = ARGV[3]
local steps = tonumber(ARGV[4])
local ttl_ms = tonumber(ARGV[5])
local open = {}
local nopen = 0
for i = 6, #ARGV do
  open[ARGV[i]] = i - 5
  nopen = nopen + 1
end

local cur = ''
if mode == 'target' then
  local rec
  if id == '' then
    local newest = redis.call('ZREVRANGEBYLEX', K_NS, '(' .. ns .. '\1', '[' .. ns .. '\0', 'LIMIT', 0, 1)
    if #newest == 1 then rec = redis.call('HGET', K_CP, newest[1]) end
  else
    rec = redis.call('HGET', K_CP, ns .. '\0' .. id)
  end
  if rec then
    local _, parent = cp_header(rec)
    cur = parent
  end
else
  cur = id
end

local out = { '', 0 }
local visited = 0
while cur ~= '' and nopen > 0 and visited < steps do
  local rec = redis.call('HGET', K_CP, ns .. '\0' .. cur)
  if not rec then
    cur = ''
    break
  end
  visited = visited + 1
  local _, parent, n, items, stride, base = cp_header(rec)
  out[#out + 1] = cur
  -- writes to open channels, in (taskPath, taskId, idx) order
  local _, values = cp_writes(ns .. '\0' .. cur .. '\0')
  local count_at = #out + 1
  out[count_at] = 0
  local w = 0
  for i = 1, #values do
    local v = values[i]
    if v then
      local head = cp_unframe(v, 1, 3)
      if open[head[3]] then
        w = w + 1
        out[#out + 1] = v
      end
    end
  end
  out[count_at] = w
  -- seeds: open channels this ancestor stored a value for
  local seeds = {}
  for i = 1, n do
    local at = base + stride * (i - 1)
    local channel, field = items[at + 1], items[at + 3]
    if open[channel] then
      -- a value stored in the record itself, else the blob it references
      local blob = stride == 4 and items[at + 4] ~= '' and items[at + 4] or nil
      if not blob and field ~= '' then blob = redis.call('HGET', K_BL, field) end
      if blob then
        seeds[#seeds + 1] = open[channel]
        seeds[#seeds + 1] = blob
        open[channel] = nil
        nopen = nopen - 1
      end
    end
  end
  out[#out + 1] = #seeds / 2
  for i = 1, #seeds do out[#out + 1] = seeds[i] end
  cur = parent
end
out[2] = visited
if nopen > 0 then out[1] = cur end
if visited > 0 then cp_touch(ttl_ms) end
return out
