-- Release a session's handoff lock, only for the holder of its token.
-- KEYS[1] lock: string holding the token of the handoff in progress
-- ARGV[1] token: the token handoff returned
-- Reply: 1 released; 0 not held with this token (released already, expired, or someone else's)
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
