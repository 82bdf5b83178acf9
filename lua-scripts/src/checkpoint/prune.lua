-- Prunes one thread: keeps the newest `keepLast` checkpoints of every
-- namespace and drops the rest with their metadata tokens, index entries and
-- pending writes, oldest first, at most `budget` per call (the reply says where
-- to continue). When nothing is left to drop and `sweep` is 1, deletes every
-- blob no remaining checkpoint references (mark and sweep).
-- KEYS[1] checkpoints: hash ns\0id -> record
-- KEYS[2] metadata: hash ns\0id -> framed metadata filter tokens
-- KEYS[3] byNs: zset ns\0id
-- KEYS[4] byId: zset id\0ns
-- KEYS[5] blobs: hash of blobs
-- KEYS[6] writeOrder: zset of pending-write sort keys
-- KEYS[7] writes: hash of pending writes
-- KEYS[8] pin: present when the thread is pinned
-- ARGV[1] keepLast: checkpoints to keep per namespace
-- ARGV[2] budget: most checkpoints to drop in this call
-- ARGV[3] from: '=' then the encoded namespace to resume at, '' to start at the first one
-- ARGV[4] sweep: '1' to sweep blobs once nothing is left to drop
-- Reply: { done (1 or 0), checkpoints dropped, where to resume ('=' then a namespace; '' when done), blobs deleted }
--!include include/checkpoint-frame.lua
--!include include/checkpoint-thread.lua
--!include include/checkpoint-drop.lua

local keep_last = tonumber(ARGV[1])
local budget = tonumber(ARGV[2])
local from = ARGV[3]
local sweep = ARGV[4] == '1'

local dropped = 0
local min = from == '' and '-' or ('[' .. string.sub(from, 2) .. '\0')
local done = true
local resume = ''
while true do
  local first = redis.call('ZRANGEBYLEX', K_NS, min, '+', 'LIMIT', 0, 1)
  if #first == 0 then break end
  local j = string.find(first[1], '\0', 1, true)
  local ns = string.sub(first[1], 1, j - 1)
  local lo, hi = '[' .. ns .. '\0', '(' .. ns .. '\1'
  local total = redis.call('ZLEXCOUNT', K_NS, lo, hi)
  local excess = total - keep_last
  if excess > 0 then
    if dropped >= budget then
      done = false
      resume = '=' .. ns
      break
    end
    local take = math.min(excess, budget - dropped)
    local members = redis.call('ZRANGEBYLEX', K_NS, lo, hi, 'LIMIT', 0, take)
    local ids = {}
    for k = 1, #members do ids[k] = string.sub(members[k], #ns + 2) end
    dropped = dropped + cp_drop(ns, ids, nil)
    if take < excess then
      done = false
      resume = '=' .. ns
      break
    end
  end
  min = '[' .. ns .. '\1'
end

local swept = 0
if done and sweep then
  swept = cp_sweep_blobs()
end
return { done and 1 or 0, dropped, resume, swept }
