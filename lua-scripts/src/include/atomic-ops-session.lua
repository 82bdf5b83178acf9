-- Helper: the session layout shared by the atomic-ops write scripts.
-- Include with: --!include include/atomic-ops-session.lua
-- Every session script takes the session's keys as KEYS[1] .. KEYS[8], in this order:
--   meta (hash), messages (list), agents (set), handoffs (list), ops (hash),
--   opslog (list), scache (hash), scachex (zset). They share one hash tag.
-- The handoff lock is deliberately not one of them: it has its own TTL.
--
-- A write reads the meta fields it needs with one HMGET whose first two fields
-- are `keys` and `createdAt`, does its work, then writes every changed meta field
-- with one HSET and sets the TTL of the session's keys (session_write). The meta
-- field `keys` lists which of the optional keys (KEYS[3..8]) may exist, one
-- letter each, so a write touches the TTL of exactly the keys that exist without
-- probing them: a = agents, h = handoffs, o = ops + opslog, c = scache + scachex.
-- meta and messages are always refreshed (PEXPIRE on a missing key does nothing).
-- (Written for speed: append runs this on every message.)

-- An integer as exact decimal text (Lua's default number format keeps only 14 digits).
local function int_text(n)
  return string.format('%.0f', n)
end

-- Adds the optional-key letter to the flags text; returns the new text.
local function flag_add(flags, letter)
  if string.find(flags, letter, 1, true) then
    return flags
  end
  return flags .. letter
end

-- Writes the meta fields queued in `set` (a flat field, value, ... table) plus
-- updatedAt = now_text (and createdAt when `created` is false) and `keys` when it changed
-- from `old_flags`, in one HSET; then gives every key of the session that may
-- exist the TTL ttl_ms (PERSIST when 0).
local function session_write(set, now_text, created, old_flags, flags, ttl_ms)
  local n = #set
  set[n + 1] = 'updatedAt'
  set[n + 2] = now_text
  n = n + 2
  if not created then
    set[n + 1] = 'createdAt'
    set[n + 2] = now_text
    n = n + 2
  end
  if flags ~= old_flags then
    set[n + 1] = 'keys'
    set[n + 2] = flags
  end
  redis.call('HSET', KEYS[1], unpack(set))
  if ttl_ms > 0 then
    redis.call('PEXPIRE', KEYS[1], ttl_ms)
    redis.call('PEXPIRE', KEYS[2], ttl_ms)
  else
    redis.call('PERSIST', KEYS[1])
    redis.call('PERSIST', KEYS[2])
  end
  if flags == '' then
    return
  end
  local optional = { 3, 'a', 4, 'h', 5, 'o', 6, 'o', 7, 'c', 8, 'c' }
  for i = 1, #optional, 2 do
    if string.find(flags, optional[i + 1], 1, true) then
      if ttl_ms > 0 then
        redis.call('PEXPIRE', KEYS[optional[i]], ttl_ms)
      else
        redis.call('PERSIST', KEYS[optional[i]])
      end
    end
  end
end

-- Looks an operation id up in the ops hash. Returns nil when the id is new, or
-- the reply for the retry: { 2, result } when the id was used by an operation
-- of the same kind, { 0, storedKind } when it was used by another kind.
local function op_replay(ops_key, op_id, kind)
  local stored = redis.call('HGET', ops_key, op_id)
  if not stored then
    return nil
  end
  local sep = string.find(stored, ':', 1, true)
  local stored_kind = string.sub(stored, 1, sep - 1)
  if stored_kind ~= kind then
    return { 0, stored_kind }
  end
  return { 2, tonumber(string.sub(stored, sep + 1)) }
end

-- Records `record` ("<kind>:<result>") under the operation id, and forgets the
-- oldest ids beyond max_ops (the opslog list keeps them in the order they were
-- recorded). The caller adds the 'o' flag.
local function op_record_text(ops_key, log_key, op_id, record, max_ops)
  redis.call('HSET', ops_key, op_id, record)
  local n = redis.call('RPUSH', log_key, op_id)
  while n > max_ops do
    local oldest = redis.call('LPOP', log_key)
    redis.call('HDEL', ops_key, oldest)
    n = n - 1
  end
end

-- Records "<kind>:<result>" (an integer result) under the operation id; see op_record_text.
local function op_record(ops_key, log_key, op_id, kind, result, max_ops)
  op_record_text(ops_key, log_key, op_id, kind .. ':' .. int_text(result), max_ops)
end

-- Appends ARGV[first] .. ARGV[#ARGV] to the message list and trims it to the
-- last max_messages (0 = no limit). Returns how many were appended.
local function push_messages(list_key, first, max_messages)
  local n = #ARGV - first + 1
  if n > 0 then
    local len = redis.call('RPUSH', list_key, unpack(ARGV, first, #ARGV))
    if max_messages > 0 and len > max_messages then
      redis.call('LTRIM', list_key, -max_messages, -1)
    end
  end
  return n
end
