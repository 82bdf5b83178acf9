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
  local _, _, n, items, stride, base = cp_header(rec)
  for i = 1, n do
    local f = items[base + stride * (i - 1) + 3]
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

-- Mark and sweep: deletes every blob field of the thread that no stored
-- checkpoint references. O(blobs + checkpoints) of the thread.
local function cp_sweep_blobs()
  local live = {}
  local recs = redis.call('HVALS', K_CP)
  for i = 1, #recs do
    cp_record_fields(recs[i], live)
  end
  local fields = redis.call('HKEYS', K_BL)
  local doomed = {}
  for i = 1, #fields do
    if not live[fields[i]] then doomed[#doomed + 1] = fields[i] end
  end
  cp_hdel(K_BL, doomed)
  return #doomed
end
