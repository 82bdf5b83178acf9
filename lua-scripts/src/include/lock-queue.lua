-- Helper: the waiter queue of one lock name, served one waiter at a time.
-- queue_key: ZSET owner token -> arrival number (FIFO order: the lowest score is served first)
-- waiters_key: HASH owner token -> expiry of the entry (server time, ms); a waiter that stops
--   refreshing its entry (it died, lost its network) is skipped once the entry expired.
-- Both keys expire (twice the entry lease after the last join or refresh) once nobody waits.
-- The lock key is "reserved" for the first live waiter by setting it to that waiter's owner
-- token with a short lease (claim_ms) and publishing the token on the lock's channel; the
-- waiter claims it with one acquire call (which mints its fencing token and sets its TTL).
-- Include with: --!include include/lock-queue.lua
--!include include/time.lua

-- At most this many expired entries are dropped per call (a bound on one script's run time).
local LOCK_QUEUE_MAX_SKIP = 1000

local function lock_queue_expire(queue_key, waiters_key, entry_ttl_ms)
  redis.call('PEXPIRE', queue_key, entry_ttl_ms * 2)
  redis.call('PEXPIRE', waiters_key, entry_ttl_ms * 2)
end

-- Appends `owner` (or keeps its place when already queued) and sets its entry's expiry.
local function lock_queue_join(queue_key, waiters_key, owner, now_ms, entry_ttl_ms)
  if not redis.call('ZSCORE', queue_key, owner) then
    local last = redis.call('ZRANGE', queue_key, -1, -1, 'WITHSCORES')
    local seq = 1
    if last[2] then
      seq = tonumber(last[2]) + 1
    end
    redis.call('ZADD', queue_key, seq, owner)
  end
  redis.call('HSET', waiters_key, owner, now_ms + entry_ttl_ms)
  lock_queue_expire(queue_key, waiters_key, entry_ttl_ms)
end

local function lock_queue_remove(queue_key, waiters_key, owner)
  redis.call('ZREM', queue_key, owner)
  redis.call('HDEL', waiters_key, owner)
end

-- The first waiter whose entry has not expired (expired ones before it are dropped), or nil.
local function lock_queue_head(queue_key, waiters_key, now_ms)
  for _ = 1, LOCK_QUEUE_MAX_SKIP do
    local head = redis.call('ZRANGE', queue_key, 0, 0)[1]
    if not head then
      return nil
    end
    local expires = tonumber(redis.call('HGET', waiters_key, head) or '0') or 0
    if expires > now_ms then
      return head
    end
    lock_queue_remove(queue_key, waiters_key, head)
  end
  return nil
end

-- Reserves the (free) lock for the first live waiter and announces it; returns its token, or nil
-- (nothing written) when nobody waits.
local function lock_queue_grant(lock_key, queue_key, waiters_key, now_ms, claim_ms, channel, publish_command)
  local head = lock_queue_head(queue_key, waiters_key, now_ms)
  if not head then
    return nil
  end
  lock_queue_remove(queue_key, waiters_key, head)
  redis.call('SET', lock_key, head, 'PX', claim_ms)
  redis.call(publish_command, channel, head)
  return head
end
