-- Record one model response in one atomic step: cache the response, append the
-- user and assistant messages, add tokens, latency and a response to the session
-- totals, stamp updatedAt (server time), trim, refresh every session key's TTL,
-- and remember the operation id.
-- KEYS[1] meta: hash { count, responses, inputTokens, outputTokens, latencyMs, createdAt, updatedAt, keys, ... }
-- KEYS[2] messages: list of JSON messages, oldest first
-- KEYS[3] agents: set of agents used (only its TTL is touched)
-- KEYS[4] handoffs: list of handoff entries (only its TTL is touched)
-- KEYS[5] ops: hash operationId -> "<kind>:<result>"
-- KEYS[6] opslog: list of remembered operation ids, oldest first
-- KEYS[7] scache: hash of the session-scoped response cache
-- KEYS[8] scachex: zset of session-scoped cache expiry times
-- KEYS[9...] globalCache: the global cache entry (hash), only when cacheMode is 'global'
--   (a standalone server: this key is in another slot, so a cluster sends it to cache-put instead)
-- ARGV[1] maxMessages: keep at most this many messages (0 = no limit)
-- ARGV[2] ttlMs: TTL for every session key (0 = no expiry)
-- ARGV[3] operationId: idempotency key ('' = none)
-- ARGV[4] maxOperationIds: how many operation ids the session remembers (>= 1)
-- ARGV[5] inputTokens: integer to add to the session's input tokens
-- ARGV[6] outputTokens: integer to add to the session's output tokens
-- ARGV[7] latencyMs: number to add to the session's total latency
-- ARGV[8] cacheMode: 'none' (cached elsewhere), 'global' (KEYS[9]) or 'session' (KEYS[7], KEYS[8])
-- ARGV[9] queryHash: the cache field for cacheMode 'session'
-- ARGV[10] response: the JSON-encoded response to cache (with an operationId, also part of its content)
-- ARGV[11] cacheTtlMs: TTL of the cache entry (0 = no expiry of its own)
-- ARGV[12...] messages: the JSON-encoded messages (user, assistant), in order
-- Reply: { 1, count } applied; { 2, count } a retry (nothing written, the original count);
--        { 0, kind } the operation id was used by another kind of operation, or by a
--        recordResponse with other content (kind "record.<sha1>": the id is tied to the
--        response and messages of the call that used it first; not to its tokens or latency,
--        which a re-run after a crash measures anew: the first call's figures stand)
--!include include/time.lua
--!include include/atomic-ops-session.lua
--!include include/atomic-ops-cache.lua
local max_messages = tonumber(ARGV[1])
local ttl_ms = tonumber(ARGV[2])
local op_id = ARGV[3]
local cache_mode = ARGV[8]
local cache_ttl_ms = tonumber(ARGV[11])

-- With an id, the recorded kind names the content too: the same id with other content is a conflict.
local op_kind = 'record'
if op_id ~= '' then
  local parts = {}
  for i = 5, #ARGV do
    -- The call's own content only: not its metrics (tokens, latency: a re-run of the same
    -- turn after a crash may hit the cache and measure 0 tokens) nor the cache plumbing.
    if i ~= 5 and i ~= 6 and i ~= 7 and i ~= 8 and i ~= 9 and i ~= 11 then
      parts[#parts + 1] = #ARGV[i] .. ':' .. ARGV[i]
    end
  end
  op_kind = 'record.' .. redis.sha1hex(table.concat(parts, ','))
  local replay = op_replay(KEYS[5], op_id, op_kind)
  if replay then
    return replay
  end
end

local now = server_time_ms()
local meta = redis.call('HMGET', KEYS[1], 'keys', 'createdAt', 'count', 'responses', 'inputTokens', 'outputTokens', 'latencyMs')
local old_flags = meta[1] or ''
local flags = old_flags
-- The cache entry first: if its key holds something else (WRONGTYPE), the
-- script stops before it has written anything.
if cache_mode == 'global' then
  cache_put(KEYS[9], ARGV[10], cache_ttl_ms, now)
elseif cache_mode == 'session' then
  session_cache_put(KEYS[7], KEYS[8], ARGV[9], ARGV[10], cache_ttl_ms, now)
  flags = flag_add(flags, 'c')
end
local count = (tonumber(meta[3]) or 0) + push_messages(KEYS[2], 12, max_messages)
if op_id ~= '' then
  op_record(KEYS[5], KEYS[6], op_id, op_kind, count, tonumber(ARGV[4]))
  flags = flag_add(flags, 'o')
end
session_write({
  'count', int_text(count),
  'responses', int_text((tonumber(meta[4]) or 0) + 1),
  'inputTokens', int_text((tonumber(meta[5]) or 0) + tonumber(ARGV[5])),
  'outputTokens', int_text((tonumber(meta[6]) or 0) + tonumber(ARGV[6])),
  'latencyMs', string.format('%.15g', (tonumber(meta[7]) or 0) + tonumber(ARGV[7])),
}, int_text(now), meta[2], old_flags, flags, ttl_ms)
return { 1, count }
