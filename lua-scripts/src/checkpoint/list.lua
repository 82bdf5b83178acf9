-- Lists checkpoints of one thread newest first, from one namespace (by the
-- namespace index) or every namespace (by the id index), between two lex
-- bounds the caller computed (before, exact id, continuation). Metadata
-- filters are checked here, so only matching checkpoints are sent. Examines at
-- most `budget` index entries and returns at most `limit` checkpoints, with a
-- cursor to continue from. Optionally refreshes the TTL.
-- KEYS[1] checkpoints: hash ns\0id -> record
-- KEYS[2] metadata: hash ns\0id -> framed metadata filter tokens
-- KEYS[3] byNs: zset ns\0id
-- KEYS[4] byId: zset id\0ns
-- KEYS[5] blobs: hash of blobs
-- KEYS[6] writeOrder: zset of pending-write sort keys
-- KEYS[7] writes: hash of pending writes
-- KEYS[8] pin: present when the thread is pinned
-- ARGV[1] index: 'ns' (members ns\0id) or 'id' (members id\0ns)
-- ARGV[2] max: upper lex bound (ZREVRANGEBYLEX max), e.g. '+' or '(member'
-- ARGV[3] min: lower lex bound, e.g. '-' or '[ns\0'
-- ARGV[4] limit: most checkpoints to return
-- ARGV[5] budget: most index entries to examine
-- ARGV[6] ttlMs: refresh every key of the thread to this TTL, 0 to leave it
-- ARGV[7...] filter: pairs of metadata key and token ('' = the key must be absent)
-- Reply: { cursor (last member examined, '' when the range is exhausted), n, n x block, blob count, blobs... }
--!include include/checkpoint-frame.lua
--!include include/checkpoint-thread.lua
--!include include/checkpoint-read.lua

local by_id = ARGV[1] == 'id'
local max = ARGV[2]
local min = ARGV[3]
local limit = tonumber(ARGV[4])
local budget = tonumber(ARGV[5])
local ttl_ms = tonumber(ARGV[6])
local filter = {}
local nfilter = 0
for i = 7, #ARGV, 2 do
  nfilter = nfilter + 1
  filter[nfilter] = { ARGV[i], ARGV[i + 1] }
end

local function matches(member)
  if nfilter == 0 then return true end
  local framed = redis.call('HGET', K_MD, member)
  local have = {}
  if framed then
    local items = cp_unframe(framed, 1, nil)
    for i = 1, #items, 2 do
      have[items[i]] = items[i + 1]
    end
  end
  for i = 1, nfilter do
    local want = filter[i][2]
    local got = have[filter[i][1]]
    if want == '' then
      if got ~= nil then return false end
    elseif got ~= want then
      return false
    end
  end
  return true
end

local out = { '', 0 }
local blobs = cp_new_blobs()
local members = redis.call('ZREVRANGEBYLEX', by_id and K_ID or K_NS, max, min, 'LIMIT', 0, budget)
local n = 0
local last = ''
for i = 1, #members do
  local m = members[i]
  last = m
  local j = string.find(m, '\0', 1, true)
  local ns, id
  if by_id then
    id, ns = string.sub(m, 1, j - 1), string.sub(m, j + 1)
  else
    ns, id = string.sub(m, 1, j - 1), string.sub(m, j + 1)
  end
  local key = ns .. '\0' .. id
  if matches(key) then
    local rec = redis.call('HGET', K_CP, key)
    if rec then
      n = n + 1
      cp_emit(out, blobs, ns, id, rec)
      if n >= limit then break end
    end
  end
end
out[2] = n
-- more may follow unless the range ran out before the budget and the limit
if n < limit and #members < budget then last = '' end
out[1] = last
cp_emit_blobs(out, blobs)
if #members > 0 then cp_touch(ttl_ms) end
return out
