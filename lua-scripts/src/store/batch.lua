-- Runs the operations of one store batch that fall in one shard (one hash tag):
-- every read first, then the writes (the client orders them so), in one call.
-- Drops expired items first (at most purgeBudget of them). When every item of the
-- shard has a TTL, the keys get a Redis TTL: the expiry of the last item.
-- KEYS[1] items: hash itemId -> value (JSON text); itemId = ns \0 key
-- KEYS[2] meta: hash itemId -> 'created|updated|seq|expiresAt|ttlMs'
-- KEYS[3] vectors: hash itemId -> embeddings (base64 of float32, opaque here)
-- KEYS[4] order: zset (score 0) ns \0 seq16 \0 key, namespace then creation order
-- KEYS[5] namespaces: zset (score 0) of the namespaces holding live items
-- KEYS[6] counts: hash ns -> live items in it
-- KEYS[7] expiry: zset itemId scored by expiresAt (ms)
-- KEYS[8] seq: creation counter of the shard
-- ARGV[1] purgeBudget: expired items dropped at most before the operations
-- ARGV[2...] ops: a sequence of operations, each a type then its fields:
--   'G' ns key refresh                                      get
--   'S' ns filter offset limit scanBudget refresh vectors   search (ns '' = whole shard)
--   'L' ns                                                  namespaces (ns '' = whole shard)
--   'P' ns key value ttlMs vector                           put (value '' deletes)
-- Reply: one entry per operation, in order:
--   G: {} when absent, else { value, createdMs, updatedMs }
--   S: { 0 } when scanBudget ran out first, else { 1, then per match:
--        orderMember, value, createdMs, updatedMs, vector or '' }
--   L: { ns... } (the namespace itself and those below it)
--   P: 1 when an item was written or deleted, 0 for a delete of nothing
--!include include/time.lua
--!include include/store-item.lua
--!include include/store-filter.lua

local now = server_time_ms()
local dirty = purge_expired(now, tonumber(ARGV[1])) == 1

-- The live meta of an item, or nil (absent, or expired and not purged yet).
local function live_meta(id)
  local text = redis.call('HGET', K_META, id)
  if not text then return nil end
  local m = parse_meta(text)
  if m.expires > 0 and m.expires <= now then return nil end
  return m
end

local function ranges_of(ns)
  if ns == '' then return { { '-', '+' } } end
  return { { '[' .. ns .. '\0', '(' .. ns .. '\1' }, { '[' .. ns .. '.', '(' .. ns .. '/' } }
end

local function id_of(member)
  local a = string.find(member, '\0', 1, true)
  return string.sub(member, 1, a) .. string.sub(member, a + 18)
end

local function get_op(ns, key, refresh)
  local id = ns .. '\0' .. key
  local m = live_meta(id)
  if not m then return {} end
  if refresh == '1' then refresh_item(id, m, now) end
  return { redis.call('HGET', K_ITEMS, id), num_text(m.created), num_text(m.updated) }
end

local function search_op(ns, filter, offset, limit, budget, refresh, vectors)
  local out = { 1 }
  if limit <= 0 then return out end
  local conditions = nil
  if filter ~= '' then conditions = cjson.decode(filter) end
  local function add(member, id, value, m)
    if refresh == '1' then refresh_item(id, m, now) end
    local vector = ''
    if vectors == '1' then vector = redis.call('HGET', K_VECTORS, id) or '' end
    out[#out + 1] = member
    out[#out + 1] = value or redis.call('HGET', K_ITEMS, id)
    out[#out + 1] = num_text(m.created)
    out[#out + 1] = num_text(m.updated)
    out[#out + 1] = vector
  end
  local ranges = ranges_of(ns)
  local found = 0
  if not conditions and not dirty then
    -- Every member is a live match: page with LIMIT directly.
    local skip = offset
    for r = 1, #ranges do
      local lo, hi = ranges[r][1], ranges[r][2]
      local n = redis.call('ZLEXCOUNT', K_ORDER, lo, hi)
      if skip >= n then
        skip = skip - n
      else
        local members = redis.call('ZRANGEBYLEX', K_ORDER, lo, hi, 'LIMIT', skip, limit - found)
        skip = 0
        for i = 1, #members do
          local id = id_of(members[i])
          add(members[i], id, nil, parse_meta(redis.call('HGET', K_META, id)))
        end
        found = found + #members
        if found >= limit then return out end
      end
    end
    return out
  end
  local examined, skipped = 0, 0
  for r = 1, #ranges do
    local lo, hi = ranges[r][1], ranges[r][2]
    local pos = 0
    while true do
      local chunk = redis.call('ZRANGEBYLEX', K_ORDER, lo, hi, 'LIMIT', pos, 256)
      for i = 1, #chunk do
        if examined >= budget then return { 0 } end
        examined = examined + 1
        local id = id_of(chunk[i])
        local m = live_meta(id)
        if m then
          local value = nil
          local ok = true
          if conditions then
            value = redis.call('HGET', K_ITEMS, id)
            ok = matches(cjson.decode(value), conditions)
          end
          if ok then
            if skipped < offset then
              skipped = skipped + 1
            else
              add(chunk[i], id, value, m)
              found = found + 1
              if found >= limit then return out end
            end
          end
        end
      end
      if #chunk < 256 then break end
      pos = pos + 256
    end
  end
  return out
end

local function namespaces_op(ns)
  if ns == '' then return redis.call('ZRANGEBYLEX', K_NAMESPACES, '-', '+') end
  local out = {}
  if redis.call('ZSCORE', K_NAMESPACES, ns) then out[1] = ns end
  local below = redis.call('ZRANGEBYLEX', K_NAMESPACES, '[' .. ns .. '.', '(' .. ns .. '/')
  for i = 1, #below do out[#out + 1] = below[i] end
  return out
end

local replies = {}
local i = 2
while i <= #ARGV do
  local op = ARGV[i]
  if op == 'G' then
    replies[#replies + 1] = get_op(ARGV[i + 1], ARGV[i + 2], ARGV[i + 3])
    i = i + 4
  elseif op == 'S' then
    replies[#replies + 1] = search_op(ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[i + 3]), tonumber(ARGV[i + 4]),
      tonumber(ARGV[i + 5]), ARGV[i + 6], ARGV[i + 7])
    i = i + 8
  elseif op == 'L' then
    replies[#replies + 1] = namespaces_op(ARGV[i + 1])
    i = i + 2
  elseif op == 'P' then
    local ns, key, value = ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
    if value == '' then
      replies[#replies + 1] = drop_item(ns .. '\0' .. key)
    else
      put_item(ns, key, value, tonumber(ARGV[i + 4]), ARGV[i + 5], now)
      replies[#replies + 1] = 1
    end
    i = i + 6
  else
    return redis.error_reply('ERR unknown store operation ' .. tostring(op))
  end
end
settle_shard_expiry()
return replies
