-- Append messages to a session in one atomic step: push them, add them to the
-- message count, stamp updatedAt (server time), trim to the last maxMessages,
-- refresh the TTL of every session key, and remember the operation id.
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
-- ARGV[5...] messages: the JSON-encoded messages, in order
-- Reply: { 1, count } applied; { 2, count } a retry (nothing written, the original count);
--        { 0, kind } the operation id was used by another kind of operation
--!include include/time.lua
--!include include/atomic-ops-session.lua
local max_messages = tonumber(ARGV[1])
local ttl_ms = tonumber(ARGV[2])
local op_id = ARGV[3]

if op_id ~= '' then
  local replay = op_replay(KEYS[5], op_id, 'append')
  if replay then
    return replay
  end
end

local meta = redis.call('HMGET', KEYS[1], 'keys', 'createdAt', 'count')
local old_flags = meta[1] or ''
local flags = old_flags
local count = (tonumber(meta[3]) or 0) + push_messages(KEYS[2], 5, max_messages)
if op_id ~= '' then
  op_record(KEYS[5], KEYS[6], op_id, 'append', count, tonumber(ARGV[4]))
  flags = flag_add(flags, 'o')
end
session_write({ 'count', int_text(count) }, server_time_text(), meta[2], old_flags, flags, ttl_ms)
return { 1, count }
