-- Helper: the waiter queue of one lock name, served one waiter at a time.
-- queue_key: ZSET owner token -> arrival number (FIFO order: the lowest score is served first)
-- waiters_key: HASH owner token -> "<entry expiry, server ms>:<grant lease ms>:<inbox>"; a waiter
--   that stops refreshing its entry (it died, lost its network) is skipped once the entry expired.
--   <inbox> names the channel of the waiter's process: "<channel>:<inbox>" (same hash tag, so the
--   same shard on a cluster); a hand-off wakes that process only.
-- Both keys expire (twice the entry lease after the last join or refresh) once nobody waits.
-- A free lock is handed to the first live waiter directly: the lock key is set to that waiter's
-- owner token with the waiter's grant lease, its fencing token is minted, and "<owner>:<token>"
-- is published on the waiter's channel. No round trip of the waiter is needed.
-- Include with: --!include include/lock-queue.lua
--!include include/time.lua
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
  lock_queue_expire(queue_key, waiters_key, entry_ttl_ms)
end

local function lock_queue_remove(queue_key, waiters_key, owner)
  redis.call('ZREM', queue_key, owner)
  redis.call('HDEL', waiters_key, owner)
end

-- The first waiter whose entry has not expired (expired ones before it are dropped), its grant
-- lease (decimal text) and its inbox, or nil.
local function lock_queue_head(queue_key, waiters_key, now_ms)
  for _ = 1, LOCK_QUEUE_MAX_SKIP do
    local head = redis.call('ZRANGE', queue_key, '0', '0')[1]
    if not head then
      return nil
    end
    local entry = redis.call('HGET', waiters_key, head) or ''
    local expires, lease, inbox = string.match(entry, '^(%d+):(%d+):(.*)$')
    if expires and tonumber(expires) > now_ms then
      return head, lease, inbox
    end
    lock_queue_remove(queue_key, waiters_key, head)
  end
  return nil
end

-- Hands the (free) lock to the first live waiter and announces it; returns its owner token, or
-- nil (nothing written) when nobody waits. now_us: the server clock (lock_clock_us), read once
-- per script.
local function lock_queue_grant(lock_key, fence_key, queue_key, waiters_key, now_us, fence_ttl_ms, channel, publish_command)
  local head, lease, inbox = lock_queue_head(queue_key, waiters_key, math.floor(now_us / 1000))
  if not head then
    return nil
  end
  lock_queue_remove(queue_key, waiters_key, head)
  redis.call('SET', lock_key, head, 'PX', lease)
  local _, token_text = lock_mint_fence(fence_key, fence_ttl_ms, now_us)
  redis.call(publish_command, channel .. ':' .. inbox, head .. ':' .. token_text)
  return head
end
