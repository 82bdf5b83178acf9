-- Helper: the waiter queue of one lock name, served one waiter at a time.
-- queue_key: ZSET owner token -> arrival number (FIFO order: the lowest score is served first)
-- waiters_key: HASH owner token -> "<entry expiry, server ms>:<grant lease ms>:<inbox>"; a waiter
--   that stops refreshing its entry (it died, lost its network) is skipped once the entry expired.
--   <inbox> names the channel of the waiter's process: "<channel>:<inbox>" (same hash tag, so the
--   same shard on a cluster); a hand-off wakes that process only.
-- Both keys expire once nobody waits: each join or refresh leaves them at least one entry lease
-- (a new queue, a refresh and a join finding less set twice the entry lease).
-- A free lock is handed to the first live waiter directly: the lock key is set to that waiter's
-- owner token with the waiter's grant lease, its fencing token is minted, and "<owner>:<token>"
-- is published on the waiter's channel. No round trip of the waiter is needed.
-- Include with: --!include include/lock-queue.lua
--!include include/lock-fence.lua

-- At most this many expired entries are dropped per call (a bound on one script's run time).
local LOCK_QUEUE_MAX_SKIP = 1000

local function lock_queue_expire(queue_key, waiters_key, entry_ttl_ms)
  local ms = string.format('%d', entry_ttl_ms * 2)
  redis.call('PEXPIRE', queue_key, ms)
  redis.call('PEXPIRE', waiters_key, ms)
end

-- Appends `owner` (or keeps its place when already queued) and sets its entry's expiry, grant
-- lease and inbox.
local function lock_queue_join(queue_key, waiters_key, owner, now_ms, entry_ttl_ms, grant_lease_ms, inbox)
  local last = redis.call('ZRANGE', queue_key, '-1', '-1', 'WITHSCORES')
  local seq = 1
  if last[2] then
    seq = tonumber(last[2]) + 1
  end
  -- NX: a waiter already queued keeps its place.
  redis.call('ZADD', queue_key, 'NX', seq, owner)
  redis.call('HSET', waiters_key, owner, string.format('%.0f:%d:', now_ms + entry_ttl_ms, grant_lease_ms) .. inbox)
  -- The two keys always get their TTL together, so they outlive this entry while the queue's
  -- TTL is at least its lease: a new queue gets one, a queue already there only when it has run
  -- short (joins come every hand-off under contention; refreshes renew it every few seconds).
  if not last[2] or redis.call('PTTL', queue_key) < entry_ttl_ms then
    lock_queue_expire(queue_key, waiters_key, entry_ttl_ms)
  end
end

local function lock_queue_remove(queue_key, waiters_key, owner)
  redis.call('ZREM', queue_key, owner)
  redis.call('HDEL', waiters_key, owner)
end

-- Takes the first waiter whose entry has not expired off the queue (expired ones before it are
-- dropped) and returns it, its grant lease (decimal text) and its inbox; nil when none is left.
-- Every caller hands the lock to the waiter it returns, so it leaves the queue here (ZPOPMIN:
-- one call where reading the head and removing it took two).
local function lock_queue_pop(queue_key, waiters_key, now_ms)
  for _ = 1, LOCK_QUEUE_MAX_SKIP do
    local head = redis.call('ZPOPMIN', queue_key)[1]
    if not head then
      return nil
    end
    local entry = redis.call('HGET', waiters_key, head) or ''
    redis.call('HDEL', waiters_key, head)
    local expires, lease, inbox = string.match(entry, '^(%d+):(%d+):(.*)$')
    if expires and tonumber(expires) > now_ms then
      return head, lease, inbox
    end
  end
  return nil
end

-- Hands the (free) lock to `head`, a waiter just taken off the queue (lock_queue_pop), with its
-- grant lease, and announces it on its inbox. now_us, now_text: the server clock
-- (lock_clock_us), read once per script; fence_ttl_text: the fencing counter's TTL in ms
-- (integer text).
local function lock_queue_hand(lock_key, fence_key, head, lease, inbox, now_us, now_text, fence_ttl_text, channel, publish_command)
  redis.call('SET', lock_key, head, 'PX', lease)
  local _, token_text = lock_mint_fence(fence_key, fence_ttl_text, now_us, now_text)
  redis.call(publish_command, channel .. ':' .. inbox, head .. ':' .. token_text)
end

-- Hands the (free) lock to the first live waiter and announces it; returns its owner token, or
-- nil (nothing written but expired entries dropped) when nobody live waits.
local function lock_queue_grant(lock_key, fence_key, queue_key, waiters_key, now_us, now_text, fence_ttl_text, channel, publish_command)
  local head, lease, inbox = lock_queue_pop(queue_key, waiters_key, math.floor(now_us / 1000))
  if not head then
    return nil
  end
  lock_queue_hand(lock_key, fence_key, head, lease, inbox, now_us, now_text, fence_ttl_text, channel, publish_command)
  return head
end
