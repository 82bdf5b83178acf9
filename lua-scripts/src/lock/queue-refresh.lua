-- Refresh the queue entries of one process's waiters, and hand a free lock to the first live
-- waiter when the holder's lease (or a reservation) ran out without a release.
-- KEYS[1] lockKey: string, the owner token of the current holder (or of the waiter it is reserved for)
-- KEYS[2] queueKey: zset, waiting owner tokens by arrival (see include/lock-queue.lua)
-- KEYS[3] waitersKey: hash, waiting owner token -> expiry of its queue entry (server ms)
-- ARGV[1] entryTtlMs: the new lease of each entry still queued, in milliseconds
-- ARGV[2] claimMs: how long a lock reserved for the next waiter stays reserved, in milliseconds
-- ARGV[3] channel: the channel a reservation is announced on
-- ARGV[4] publishCommand: "PUBLISH" (standalone, sentinel) or "SPUBLISH" (cluster: sharded pub/sub)
-- ARGV[5...] owners: the owner tokens of the waiters to refresh (at least one)
-- Reply: { pttl, state1, state2, ... }: pttl of the lock key after the call (-2 free, -1 no TTL);
--        per owner: 1 queued (entry refreshed), 2 the lock is reserved for it (claim it now),
--        0 not queued (its entry expired, or the queue was lost: join again)
--!include include/lock-queue.lua
local lock_key = KEYS[1]
local queue_key = KEYS[2]
local waiters_key = KEYS[3]
local entry_ttl_ms = tonumber(ARGV[1])
local claim_ms = tonumber(ARGV[2])
local channel = ARGV[3]
local publish_command = ARGV[4]

if not entry_ttl_ms or entry_ttl_ms <= 0 or not claim_ms or claim_ms <= 0 then
  return redis.error_reply('ERR lock/queue-refresh: entryTtlMs and claimMs must be positive integers')
end
if publish_command ~= 'PUBLISH' and publish_command ~= 'SPUBLISH' then
  return redis.error_reply('ERR lock/queue-refresh: publishCommand must be PUBLISH or SPUBLISH')
end
if #ARGV < 5 then
  return redis.error_reply('ERR lock/queue-refresh: owners must not be empty')
end

local now_ms = server_time_ms()
local refreshed = false
for i = 5, #ARGV do
  if redis.call('ZSCORE', queue_key, ARGV[i]) then
    redis.call('HSET', waiters_key, ARGV[i], now_ms + entry_ttl_ms)
    refreshed = true
  end
end
if refreshed then
  lock_queue_expire(queue_key, waiters_key, entry_ttl_ms)
end
if redis.call('EXISTS', lock_key) == 0 then
  lock_queue_grant(lock_key, queue_key, waiters_key, now_ms, claim_ms, channel, publish_command)
end

local current = redis.call('GET', lock_key)
local reply = { redis.call('PTTL', lock_key) }
for i = 5, #ARGV do
  if current == ARGV[i] then
    reply[#reply + 1] = 2
  elseif redis.call('ZSCORE', queue_key, ARGV[i]) then
    reply[#reply + 1] = 1
  else
    reply[#reply + 1] = 0
  end
end
return reply
