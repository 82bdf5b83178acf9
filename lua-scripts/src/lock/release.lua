-- Release the lock if the caller still owns it (or it is reserved for the caller) and hand it to
-- the first live waiter of the queue: reserved for that waiter for claimMs and announced to it.
-- A waiter giving up sends this too: it leaves the queue, and a reservation for it passes on.
-- KEYS[1] lockKey: string, the owner token of the current holder
-- KEYS[2] queueKey: zset, waiting owner tokens by arrival (see include/lock-queue.lua)
-- KEYS[3] waitersKey: hash, waiting owner token -> expiry of its queue entry (server ms)
-- ARGV[1] owner: the holder's owner token
-- ARGV[2] claimMs: how long the lock stays reserved for the next waiter, in milliseconds
-- ARGV[3] channel: the channel the reservation is announced on (its message: the waiter's owner token)
-- ARGV[4] publishCommand: "PUBLISH" (standalone, sentinel) or "SPUBLISH" (cluster: sharded pub/sub)
-- Reply: 2 released and reserved for the next waiter (announced); 1 released, nobody waits (key
--        deleted, nothing published); 0 not the owner (lease expired or taken over; only the
--        caller's own queue entry, if any, was removed)
--!include include/lock-queue.lua
local lock_key = KEYS[1]
local queue_key = KEYS[2]
local waiters_key = KEYS[3]
local owner = ARGV[1]
local claim_ms = tonumber(ARGV[2])
local channel = ARGV[3]
local publish_command = ARGV[4]

if publish_command ~= 'PUBLISH' and publish_command ~= 'SPUBLISH' then
  return redis.error_reply('ERR lock/release: publishCommand must be PUBLISH or SPUBLISH')
end
if not claim_ms or claim_ms <= 0 then
  return redis.error_reply('ERR lock/release: claimMs must be a positive integer')
end

lock_queue_remove(queue_key, waiters_key, owner)
if redis.call('GET', lock_key) ~= owner then
  return 0
end
if redis.call('EXISTS', queue_key) == 1 then
  if lock_queue_grant(lock_key, queue_key, waiters_key, server_time_ms(), claim_ms, channel, publish_command) then
    return 2
  end
end
redis.call('DEL', lock_key)
return 1
