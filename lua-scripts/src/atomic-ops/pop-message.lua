-- Remove and return the session's last message in one atomic step, stamping
-- updatedAt (server time) and refreshing the TTL of every session key. The
-- message count (messages ever written) is left as it is. An empty or unknown
-- session is left untouched.
-- KEYS[1] meta: hash { count, createdAt, updatedAt, keys (which optional keys exist), ... }
-- KEYS[2] messages: list of JSON messages, oldest first
-- KEYS[3] agents: set of agents used (only its TTL is touched)
-- KEYS[4] handoffs: list of handoff entries (only its TTL is touched)
-- KEYS[5] ops: hash of operation ids (only its TTL is touched)
-- KEYS[6] opslog: list of remembered operation ids (only its TTL is touched)
-- KEYS[7] scache: hash of the session-scoped response cache (only its TTL is touched)
-- KEYS[8] scachex: zset of session-scoped cache expiry times (only its TTL is touched)
-- ARGV[1] ttlMs: TTL for every session key (0 = no expiry)
-- Reply: the removed message's JSON text, or nil when the session holds no message
--!include include/time.lua
--!include include/atomic-ops-session.lua
local ttl_ms = tonumber(ARGV[1])
if not ttl_ms then
  return redis.error_reply('ERR atomic-ops/pop-message: ttlMs must be a number')
end

local message = redis.call('RPOP', KEYS[2])
if not message then
  return nil
end
local meta = redis.call('HMGET', KEYS[1], 'keys', 'createdAt')
local flags = meta[1] or ''
session_write({}, server_time_text(), meta[2], flags, flags, ttl_ms)
return message
