-- Hand a session from one agent to another in one atomic step: take the
-- session's handoff lock, check that fromAgent is the current agent, set the
-- current agent, add both agents to the agents used, store the context, append
-- a history entry, stamp updatedAt (server time), refresh the session TTLs.
-- KEYS[1] meta: hash { currentAgent, handoffContext, handoffs, lastHandoffAt, updatedAt, keys, ... }
-- KEYS[2] messages: list of messages (only its TTL is touched)
-- KEYS[3] agents: set of agents used
-- KEYS[4] handoffs: list of JSON handoff entries, oldest first
-- KEYS[5] ops: operation ids (only its TTL is touched)
-- KEYS[6] opslog: operation id log (only its TTL is touched)
-- KEYS[7] scache: session-scoped cache (only its TTL is touched)
-- KEYS[8] scachex: session-scoped cache expiry (only its TTL is touched)
-- KEYS[9] lock: string holding the token of the handoff in progress (own TTL)
-- ARGV[1] fromAgent: the agent expected to hold the session
-- ARGV[2] toAgent: the agent taking it over
-- ARGV[3] entryTail: the history entry's JSON after its opening brace ("from":..,"to":..,"context":..})
-- ARGV[4] context: the JSON-encoded handoff context
-- ARGV[5] token: the new lock token
-- ARGV[6] lockTtlMs: how long the lock lives unless released (> 0)
-- ARGV[7] ttlMs: TTL for every session key (0 = no expiry)
-- ARGV[8] checkCurrentAgent: '1' to require fromAgent to be the current agent (an unowned session accepts any)
-- ARGV[9] maxHandoffHistory: keep at most this many history entries (0 = no limit)
-- Reply: { 1, handoffCount, now } done and locked; { 0, lockPttl } another handoff holds the lock;
--        { -1, currentAgent } fromAgent is not the current agent
--!include include/time.lua
--!include include/atomic-ops-session.lua
local from_agent, to_agent = ARGV[1], ARGV[2]
local lock_ttl_ms = tonumber(ARGV[6])
local ttl_ms = tonumber(ARGV[7])
local max_history = tonumber(ARGV[9])

local lock_pttl = redis.call('PTTL', KEYS[9])
if lock_pttl ~= -2 then
  return { 0, lock_pttl }
end
local meta = redis.call('HMGET', KEYS[1], 'keys', 'createdAt', 'currentAgent', 'handoffs')
local current = meta[3]
if ARGV[8] == '1' and current and current ~= from_agent then
  return { -1, current }
end

local now = server_time_ms()
local now_text = int_text(now)
redis.call('SET', KEYS[9], ARGV[5], 'PX', lock_ttl_ms)
local count = (tonumber(meta[4]) or 0) + 1
redis.call('SADD', KEYS[3], from_agent, to_agent)
local len = redis.call('RPUSH', KEYS[4], '{"at":' .. now_text .. ',' .. ARGV[3])
if max_history > 0 and len > max_history then
  redis.call('LTRIM', KEYS[4], -max_history, -1)
end
local old_flags = meta[1] or ''
session_write({
  'handoffs', int_text(count),
  'currentAgent', to_agent,
  'handoffContext', ARGV[4],
  'lastHandoffAt', now_text,
}, now_text, meta[2], old_flags, flag_add(flag_add(old_flags, 'a'), 'h'), ttl_ms)
return { 1, count, now }
