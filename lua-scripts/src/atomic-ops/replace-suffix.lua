-- Replace the session's last messages in one atomic step, only if they are the
-- messages the caller expects: compare the expected suffix with the stored JSON
-- texts byte for byte, cut it, push the replacement, add the replacement to the
-- message count, stamp updatedAt (server time), trim to the last maxMessages,
-- refresh the TTL of every session key and remember the operation id with its kind.
-- An empty expected suffix appends; expectedCount -1 replaces the whole list.
-- KEYS[1] meta: hash { count, createdAt, updatedAt, keys (which optional keys exist), ... }
-- KEYS[2] messages: list of JSON messages, oldest first
-- KEYS[3] agents: set of agents used (only its TTL is touched)
-- KEYS[4] handoffs: list of handoff entries (only its TTL is touched)
-- KEYS[5] ops: hash operationId -> "<kind>:<result>"
-- KEYS[6] opslog: list of remembered operation ids, oldest first
-- KEYS[7] scache: hash of the session-scoped response cache (only its TTL is touched)
-- KEYS[8] scachex: zset of session-scoped cache expiry times (only its TTL is touched)
-- ARGV[1] maxMessages: keep at most this many messages (0 = no limit)
-- ARGV[2] ttlMs: TTL for every session key (0 = no expiry)
-- ARGV[3] operationId: idempotency key ('' = none)
-- ARGV[4] maxOperationIds: how many operation ids the session remembers (>= 1)
-- ARGV[5] kind: recorded with the operation id; a retry of that id with another kind is refused (no ':')
-- ARGV[6] expectedCount: how many expected messages follow (0 = append; -1 = replace everything)
-- ARGV[7...] messages: expectedCount expected JSON texts (oldest first), then the replacement JSON texts
-- Reply: { 1, count } applied; { 2, count } a retry (nothing written, the original count);
--        { 0, kind } the operation id was recorded with another kind (nothing written);
--        { -1, length } the stored suffix is not the expected one (nothing written; length = messages stored)
--!include include/time.lua
--!include include/atomic-ops-session.lua
local max_messages = tonumber(ARGV[1])
local ttl_ms = tonumber(ARGV[2])
local op_id = ARGV[3]
local max_ops = tonumber(ARGV[4])
local kind = ARGV[5]
local expected_count = tonumber(ARGV[6])

if not max_messages or not ttl_ms or not max_ops or max_ops < 1 or not expected_count or expected_count < -1 then
  return redis.error_reply('ERR atomic-ops/replace-suffix: maxMessages, ttlMs, maxOperationIds and expectedCount must be numbers')
end
if kind == '' or string.find(kind, ':', 1, true) then
  return redis.error_reply('ERR atomic-ops/replace-suffix: kind must be non-empty text without ":"')
end
local first_replacement = 7 + math.max(expected_count, 0)
if first_replacement > #ARGV + 1 then
  return redis.error_reply('ERR atomic-ops/replace-suffix: fewer messages than expectedCount')
end

if op_id ~= '' then
  local replay = op_replay(KEYS[5], op_id, kind)
  if replay then
    return replay
  end
end

if expected_count == -1 then
  redis.call('DEL', KEYS[2])
elseif expected_count > 0 then
  local stored = redis.call('LRANGE', KEYS[2], -expected_count, -1)
  if #stored ~= expected_count then
    return { -1, redis.call('LLEN', KEYS[2]) }
  end
  for i = 1, expected_count do
    if stored[i] ~= ARGV[6 + i] then
      return { -1, redis.call('LLEN', KEYS[2]) }
    end
  end
  local length = redis.call('LLEN', KEYS[2])
  if length == expected_count then
    redis.call('DEL', KEYS[2])
  else
    redis.call('LTRIM', KEYS[2], 0, length - expected_count - 1)
  end
end

local meta = redis.call('HMGET', KEYS[1], 'keys', 'createdAt', 'count')
local old_flags = meta[1] or ''
local flags = old_flags
local count = (tonumber(meta[3]) or 0) + push_messages(KEYS[2], first_replacement, max_messages)
if op_id ~= '' then
  op_record(KEYS[5], KEYS[6], op_id, kind, count, max_ops)
  flags = flag_add(flags, 'o')
end
session_write({ 'count', int_text(count) }, server_time_text(), meta[2], old_flags, flags, ttl_ms)
return { 1, count }
