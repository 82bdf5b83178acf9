-- Extend the lease if the caller still owns the lock (the watchdog's call).
-- KEYS[1] lockKey: string, the owner token of the current holder
-- ARGV[1] owner: the holder's owner token
-- ARGV[2] ttlMs: the new remaining lease in milliseconds
-- Reply: 1 renewed; 0 the lock is gone (the lease expired); -1 another owner holds it
local lock_key = KEYS[1]
local owner = ARGV[1]
local ttl_ms = tonumber(ARGV[2])

if not ttl_ms or ttl_ms <= 0 then
  return redis.error_reply('ERR lock/renew: ttlMs must be a positive integer')
end

local current = redis.call('GET', lock_key)
if current == owner then
  redis.call('PEXPIRE', lock_key, ttl_ms)
  return 1
end
if not current then
  return 0
end
return -1
