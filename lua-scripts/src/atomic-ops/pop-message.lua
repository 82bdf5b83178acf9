-- Remove and return the session's last message in one atomic step, stamping
-- updatedAt (server time), refreshing the TTL of every session key and
-- remembering the operation id with the removed message. The message count
-- (messages ever written) is left as it is. Without an operation id, an empty
-- or unknown session is left untouched; with one, the id is remembered with
-- "nothing removed" (on an unknown session in the ops keys alone, for ttlMs).
-- KEYS[1] meta: hash { count, createdAt, updatedAt, keys (which optional keys exist), ... }
-- KEYS[2] messages: list of JSON messages, oldest first
-- KEYS[3] agents: set of agents used (only its TTL is touched)
-- KEYS[4] handoffs: list of handoff entries (only its TTL is touched)
-- KEYS[5] ops: hash operationId -> "<kind>:<result>" (here "pop:<message JSON text>", "pop:" for none)
-- KEYS[6] opslog: list of remembered operation ids, oldest first
-- KEYS[7] scache: hash of the session-scoped response cache (only its TTL is touched)
-- KEYS[8] scachex: zset of session-scoped cache expiry times (only its TTL is touched)
-- ARGV[1] ttlMs: TTL for every session key (0 = no expiry)
-- ARGV[2] operationId: idempotency key ('' = none)
-- ARGV[3] maxOperationIds: how many operation ids the session remembers (>= 1)
-- Reply: { 1, text } removed (text = the message's JSON text, '' when the session held none);
--        { 2, text } a retry of the operation id (nothing written, the first call's text);
--        { 0, kind } the operation id was used by another kind of operation (nothing written)
--!include include/time.lua
--!include include/atomic-ops-session.lua
local ttl_ms = tonumber(ARGV[1])
local op_id = ARGV[2]
local max_ops = tonumber(ARGV[3])
if not ttl_ms or not max_ops or max_ops < 1 then
  return redis.error_reply('ERR atomic-ops/pop-message: ttlMs and maxOperationIds must be numbers')
end

if op_id ~= '' then
  local stored = redis.call('HGET', KEYS[5], op_id)
  if stored then
    local sep = string.find(stored, ':', 1, true)
    local stored_kind = string.sub(stored, 1, sep - 1)
    if stored_kind ~= 'pop' then
      return { 0, stored_kind }
    end
    return { 2, string.sub(stored, sep + 1) }
  end
end

local message = redis.call('RPOP', KEYS[2])
if not message and op_id == '' then
  return { 1, '' }
end
local meta = redis.call('HMGET', KEYS[1], 'keys', 'createdAt')
local old_flags = meta[1] or ''
local flags = old_flags
if op_id ~= '' then
  op_record_text(KEYS[5], KEYS[6], op_id, 'pop:' .. (message or ''), max_ops)
  if not message and not meta[2] then
    -- An unknown session: only the id is remembered, for ttlMs (no session is created).
    if ttl_ms > 0 then
      redis.call('PEXPIRE', KEYS[5], ttl_ms)
      redis.call('PEXPIRE', KEYS[6], ttl_ms)
    end
    return { 1, '' }
  end
  flags = flag_add(flags, 'o')
end
session_write({}, server_time_text(), meta[2], old_flags, flags, ttl_ms)
return { 1, message or '' }
