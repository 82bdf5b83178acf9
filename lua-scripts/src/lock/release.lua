-- Release the lock if the caller still owns it and hand it to the first live waiter of the queue:
-- owner set to that waiter, its fencing token minted, "<owner>:<token>" published (no round trip
-- of the waiter). A waiter giving up sends this too: it leaves the queue (and, if the lock was
-- handed to it meanwhile, hands it on).
-- KEYS[1] lockKey: string, the owner token of the current holder
-- KEYS[2] fenceKey: string, the last fencing token minted for this lock name
-- KEYS[3] queueKey: zset, waiting owner tokens by arrival (see include/lock-queue.lua)
-- KEYS[4] waitersKey: hash, waiting owner token -> "<entry expiry ms>:<grant lease ms>:<inbox>"
-- ARGV[1] owner: the holder's owner token
-- ARGV[2] fenceTtlMs: how long the fencing counter outlives the last acquisition, in milliseconds (plain integer text)
-- ARGV[3] channel: the hand-off is announced on "<channel>:<inbox of the waiter>"
-- ARGV[4] publishCommand: "PUBLISH" (standalone, sentinel) or "SPUBLISH" (cluster: sharded pub/sub)
-- Reply: 2 released and handed to the next waiter (announced); 1 released, nobody waits (key
--        deleted, nothing published); 0 not the owner (lease expired or taken over; only the
--        caller's own queue entry, if any, was removed)
--!include include/lock-queue.lua
local lock_key = KEYS[1]
local fence_key = KEYS[2]
local queue_key = KEYS[3]
local waiters_key = KEYS[4]
local owner = ARGV[1]
local channel = ARGV[3]
local publish_command = ARGV[4]

if publish_command ~= 'PUBLISH' and publish_command ~= 'SPUBLISH' then
  return redis.error_reply('ERR lock/release: publishCommand must be PUBLISH or SPUBLISH')
end
-- Sent as given: plain positive integer text (see acquire.lua).
if not ARGV[2] or #ARGV[2] > 15 or not string.match(ARGV[2], '^[1-9]%d*$') then
  return redis.error_reply('ERR lock/release: fenceTtlMs must be a positive integer')
end

-- The holder is never queued (every way to the lock removes the entry), so only a caller that is
-- not the owner has an entry to remove.
if redis.call('GET', lock_key) ~= owner then
  lock_queue_remove(queue_key, waiters_key, owner)
  return 0
end
-- Nobody waits on most releases: one EXISTS spares them the clock read and the pop.
if redis.call('EXISTS', queue_key) == 1 then
  local now_us, now_text = lock_clock_us()
  if lock_queue_grant(lock_key, fence_key, queue_key, waiters_key, now_us, now_text, ARGV[2], channel, publish_command) then
    return 2
  end
end
redis.call('DEL', lock_key)
return 1
