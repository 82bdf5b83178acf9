-- Helper: appends checkpoint blocks to a reply, the shape src/reply.ts parses.
-- Needs include/checkpoint-frame.lua and include/checkpoint-thread.lua first.
-- Include with: --!include include/checkpoint-read.lua
--
-- A block: ns, id, record, n, n x (channel position, blob number), w, w x write,
-- p, p x parent write. Blob numbers index the reply's blob table (`blobs`), so a
-- blob shared by several checkpoints of one reply is sent once. Parent writes are
-- sent only for records flagged 'm' (format v < 4: pending sends to migrate).

-- Appends how many of values[] are present (not false), then those values.
local function cp_append_counted(out, values)
  local count_at = #out + 1
  out[count_at] = 0
  local c = 0
  for i = 1, #values do
    if values[i] then
      c = c + 1
      out[#out + 1] = values[i]
    end
  end
  out[count_at] = c
end

local function cp_new_blobs()
  return { index = {}, values = {} }
end

local function cp_emit(out, blobs, ns, id, rec)
  local flags, parent, n, items, stride, base = cp_header(rec)
  out[#out + 1] = ns
  out[#out + 1] = id
  out[#out + 1] = rec
  -- blobs referenced by the record (fetch only the ones not in the table yet)
  local want, want_pos = {}, {}
  for i = 1, n do
    local f = items[base + stride * (i - 1) + 3]
    if f ~= '' and blobs.index[f] == nil then
      want[#want + 1] = f
      want_pos[#want_pos + 1] = i
    end
  end
  if #want > 0 then
    local vals = cp_hmget(K_BL, want)
    for k = 1, #want do
      if vals[k] then
        local bi = #blobs.values + 1
        blobs.values[bi] = vals[k]
        blobs.index[want[k]] = bi
      else
        blobs.index[want[k]] = 0
      end
    end
  end
  local present = {}
  for i = 1, n do
    local f = items[base + stride * (i - 1) + 3]
    if f ~= '' then
      local bi = blobs.index[f]
      if bi ~= nil and bi > 0 then
        present[#present + 1] = i
        present[#present + 1] = bi
      end
    end
  end
  out[#out + 1] = #present / 2
  for i = 1, #present do out[#out + 1] = present[i] end
  -- pending writes of this checkpoint
  local _, values = cp_writes(ns .. '\0' .. id .. '\0')
  cp_append_counted(out, values)
  -- the parent's writes, for pending-send migration of old-format checkpoints
  if string.find(flags, 'm', 1, true) and parent ~= '' then
    local _, pvalues = cp_writes(ns .. '\0' .. parent .. '\0')
    cp_append_counted(out, pvalues)
  else
    out[#out + 1] = 0
  end
end

-- Appends the blob table: count, then the values.
local function cp_emit_blobs(out, blobs)
  out[#out + 1] = #blobs.values
  for i = 1, #blobs.values do out[#out + 1] = blobs.values[i] end
end
