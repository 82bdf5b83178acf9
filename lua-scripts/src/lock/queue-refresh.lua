-- Refresh the queue entries of one process's waiters, and hand a free lock to the first live
-- waiter when the holder's lease ran out without a release.
-- KEYS[1] lockKey: string, the owner token of the current holder
-- KEYS[2] fenceKey: string, the last fencing token minted for this lock name
-- KEYS[3] queueKey: zset, waiting owner tokens by arrival (see include/lock-queue.lua)
-- KEYS[4] waitersKey: hash, waiting owner token -> "<entry expiry ms>:<grant lease ms>:<inbox>"
-- ARGV[1] entryTtlMs: the new lease of each entry still queued, in milliseconds
-- ARGV[2] fenceTtlMs: how long the fencing counter outlives the last acquisition, in milliseconds (plain integer text)
-- ARGV[3] channel: a hand-off is announced on "<channel>:<inbox of the waiter>"
-- ARGV[4] publishCommand: "PUBLISH" (standalone, sentinel) or "SPUBLISH" (cluster: sharded pub/sub)
-- ARGV[5...] owners: the owner tokens of the waiters to refresh (at least one)
-- Reply: { pttl, state1, state2, ... }: pttl of the lock key after the call (-2 free, -1 no TTL);
--        per owner: 1 queued (entry refreshed), 2 the lock is held by it (handed to it; claim it
--        with an acquire if its announcement was lost), 0 not queued (its entry expired, or the
--        queue was lost: join again)
--!include include/lock-queue.lua
local lock_key = KEYS[1]
local fence_key = KEYS[2]
local queue_key = KEYS[3]
local waiters_key = KEYS[4]
local entry_ttl_ms = tonumber(ARGV[1])
local channel = ARGV[3]
local publish_command = ARGV[4]

if not entry_ttl_ms or entry_ttl_ms <= 0 or not ARGV[2] or #ARGV[2] > 15
  or not string.match(ARGV[2], '^[1-9]%d*$') then
  return redis.error_reply('ERR lock/queue-refresh: entryTtlMs and fenceTtlMs must be positive integers')
end
if publish_command ~= 'PUBLISH' and publish_command ~= 'SPUBLISH' then
  return redis.error_reply('ERR lock/queue-refresh: publishCommand must be PUBLISH or SPUBLISH')
end
if #ARGV < 5 then
  return redis.error_reply('ERR lock/queue-refresh: owners must not be empty')
end

local now_us, now_text = lock_clock_us()
local now_ms = math.floor(now_us / 1000)
local refreshed = false
for i = 5, #ARGV do
  local entry = redis.call('HGET', waiters_key, ARGV[i])
  local rest = entry and string.match(entry, '^%d+:(%d+:.*)$')
  if rest and redis.call('ZSCORE', queue_key, ARGV[i]) then
    redis.call('HSET', waiters_key, ARGV[i], string.format('%.0f:', now_ms + entry_ttl_ms) .. rest)
    refreshed = true
  end
end
if refreshed then
  lock_queue_expire(queue_key, waiters_key, entry_ttl_ms)
end
if redis.call('EXISTS', lock_key) == 0 then
  lock_queue_grant(lock_key, fence_key, queue_key, waiters_key, now_us, now_text, ARGV[2], channel, publish_command)
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
