-- Read a session's summary in one step.
-- KEYS[1] meta: hash of counters, timestamps, current agent
-- KEYS[2] messages: list of messages (its length)
-- KEYS[3] agents: set of agents used
-- KEYS[4] handoffs: list of handoff entries (its length)
-- KEYS[5] lock: the handoff lock (its remaining TTL)
-- Reply: {} when the session does not exist; else
--        { metaFieldsAndValues, agents, storedMessages, storedHandoffs, metaPttl, lockPttl }
local meta = redis.call('HGETALL', KEYS[1])
if #meta == 0 then
  return {}
end
return {
  meta,
  redis.call('SMEMBERS', KEYS[3]),
  redis.call('LLEN', KEYS[2]),
  redis.call('LLEN', KEYS[4]),
  redis.call('PTTL', KEYS[1]),
  redis.call('PTTL', KEYS[5]),
}
