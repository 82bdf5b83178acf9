-- Helper of the store scripts: one item of a shard (the hash tag of a namespace
-- prefix) kept in six structures that move together.
-- Include with: --!include include/store-item.lua
-- Binds the eight shard keys, KEYS[1..8] in the order batch.lua documents.
--   item id      = ns .. '\0' .. key                (ns: encoded labels joined by '.')
--   order member = ns .. '\0' .. seq16 .. '\0' .. key (creation order within a namespace)
--   meta         = 'created|updated|seq|expiresAt|ttlMs' (ms; expiresAt 0 = never)

local K_ITEMS = KEYS[1]
local K_META = KEYS[2]
local K_VECTORS = KEYS[3]
local K_ORDER = KEYS[4]
local K_NAMESPACES = KEYS[5]
local K_COUNTS = KEYS[6]
local K_EXPIRY = KEYS[7]
local K_SEQ = KEYS[8]

-- Set when the call changed an item or an expiry (see settle_shard_expiry).
local shard_touched = false

local function num_text(n)
  return string.format('%.0f', n)
end

local function parse_meta(text)
  local c, u, s, e, t = string.match(text, '^(%d+)|(%d+)|(%d+)|(%d+)|(%d+)$')
  return { created = tonumber(c), updated = tonumber(u), seq = tonumber(s), expires = tonumber(e), ttl = tonumber(t) }
end

local function meta_text(m)
  return num_text(m.created) .. '|' .. num_text(m.updated) .. '|' .. num_text(m.seq) .. '|' .. num_text(m.expires) .. '|' .. num_text(m.ttl)
end

local function order_member(ns, seq, key)
  return ns .. '\0' .. string.format('%016.0f', seq) .. '\0' .. key
end

-- Removes an item and its index entries; returns 1 when it existed.
local function drop_item(id)
  local text = redis.call('HGET', K_META, id)
  if not text then
    redis.call('ZREM', K_EXPIRY, id)
    return 0
  end
  local m = parse_meta(text)
  shard_touched = true
  local cut = string.find(id, '\0', 1, true)
  local ns = string.sub(id, 1, cut - 1)
  local key = string.sub(id, cut + 1)
  redis.call('ZREM', K_ORDER, order_member(ns, m.seq, key))
  redis.call('HDEL', K_ITEMS, id)
  redis.call('HDEL', K_META, id)
  redis.call('HDEL', K_VECTORS, id)
  redis.call('ZREM', K_EXPIRY, id)
  if redis.call('HINCRBY', K_COUNTS, ns, -1) <= 0 then
    redis.call('HDEL', K_COUNTS, ns)
    redis.call('ZREM', K_NAMESPACES, ns)
    if redis.call('EXISTS', K_COUNTS) == 0 then redis.call('DEL', K_SEQ) end
  end
  return 1
end

-- Creates or replaces an item; createdAt and the creation order survive an update.
local function put_item(ns, key, value, ttl_ms, vector, now)
  local id = ns .. '\0' .. key
  local text = redis.call('HGET', K_META, id)
  local m
  shard_touched = true
  if text then
    m = parse_meta(text)
    m.updated = now
  else
    m = { created = now, updated = now, seq = redis.call('INCR', K_SEQ) }
    redis.call('ZADD', K_ORDER, 0, order_member(ns, m.seq, key))
    if redis.call('HINCRBY', K_COUNTS, ns, 1) == 1 then redis.call('ZADD', K_NAMESPACES, 0, ns) end
  end
  m.ttl = ttl_ms
  if ttl_ms > 0 then
    m.expires = now + ttl_ms
    redis.call('ZADD', K_EXPIRY, m.expires, id)
  else
    m.expires = 0
    redis.call('ZREM', K_EXPIRY, id)
  end
  redis.call('HSET', K_ITEMS, id, value)
  redis.call('HSET', K_META, id, meta_text(m))
  if vector ~= '' then redis.call('HSET', K_VECTORS, id, vector) else redis.call('HDEL', K_VECTORS, id) end
end

-- Pushes the expiry of an item with a TTL to now + its TTL (refresh on read).
local function refresh_item(id, m, now)
  if m.ttl > 0 then
    m.expires = now + m.ttl
    redis.call('ZADD', K_EXPIRY, m.expires, id)
    redis.call('HSET', K_META, id, meta_text(m))
    shard_touched = true
  end
end

-- Redis TTLs on the shard: when every item has a TTL, the eight keys expire with the
-- last of them (an untouched shard frees its memory by itself); otherwise they persist.
local function settle_shard_expiry()
  if not shard_touched then return end
  local total = redis.call('HLEN', K_META)
  if total == 0 then return end
  if redis.call('ZCARD', K_EXPIRY) == total then
    local last = redis.call('ZRANGE', K_EXPIRY, -1, -1, 'WITHSCORES')
    for i = 1, 8 do redis.call('PEXPIREAT', KEYS[i], last[2]) end
  elseif redis.call('PTTL', K_META) > 0 then
    for i = 1, 8 do redis.call('PERSIST', KEYS[i]) end
  end
end

-- Drops up to `budget` expired items; returns 1 when expired items remain.
local function purge_expired(now, budget)
  local due = redis.call('ZRANGEBYSCORE', K_EXPIRY, '-inf', now, 'LIMIT', 0, budget)
  for i = 1, #due do drop_item(due[i]) end
  if #redis.call('ZRANGEBYSCORE', K_EXPIRY, '-inf', now, 'LIMIT', 0, 1) > 0 then return 1 end
  return 0
end
