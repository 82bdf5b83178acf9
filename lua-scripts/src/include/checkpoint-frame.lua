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
-- and one entry per channel of the checkpoint. Format 3 (written now): the
-- header is one MessagePack array { flags, parent, (channel, version, field,
-- inline)* } (cmsgpack parses it in C: much cheaper than unframing it in Lua),
-- then the framed body; it starts with a MessagePack array byte (>= 0x90),
-- while framed records start with a decimal digit. Format 1 (flags without 'i'):
-- triples (channel, version token, blob field or '' when the channel has no
-- value). Format 2 (flags with 'i'): quadruples (channel, version token or ''
-- when the channel has no version, blob field or '', the value itself framed
-- (type, bytes) when it is stored in the record, else ''). A channel has a
-- value when its field or its inline value is not ''.
-- Returns flags, parent, n, items, stride, base: item k (1-based) of channel i
-- (1-based) is items[base + stride * (i - 1) + k].
local function cp_header(rec)
  if string.byte(rec, 1) >= 0x90 then
    local _, h = cmsgpack.unpack_one(rec)
    return h[1], h[2], (#h - 2) / 4, h, 4, 2
  end
  local head, pos = cp_unframe(rec, 1, 3)
  local n = tonumber(head[3])
  local stride = string.find(head[1], 'i', 1, true) and 4 or 3
  local items = {}
  if n > 0 then
    items = cp_unframe(rec, pos, n * stride)
  end
  return head[1], head[2], n, items, stride, 0
end
