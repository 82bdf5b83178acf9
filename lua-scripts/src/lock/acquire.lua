-- Acquire the lock, re-enter it, or join its waiter queue; a fresh acquisition mints a fencing
-- token in the same call.
-- KEYS[1] lockKey: string, the owner token of the current holder
-- KEYS[2] fenceKey: string, the last fencing token minted for this lock name
-- KEYS[3] queueKey: zset, waiting owner tokens by arrival (see include/lock-queue.lua)
-- KEYS[4] waitersKey: hash, waiting owner token -> "<entry expiry ms>:<grant lease ms>:<inbox>"
-- ARGV[1] owner: the acquisition's random owner token (the holder's own token to re-enter)
-- ARGV[2] ttlMs: lease length in milliseconds (plain integer text, as PX takes it: no sign, leading zero or exponent)
-- ARGV[3] fenceTtlMs: how long the fencing counter outlives the last acquisition, in milliseconds (plain integer text)
-- ARGV[4] mode: "0" try (never queue), "1" re-enter only (never take a free lock), "2" wait (queue when held)
-- ARGV[5] entryTtlMs: lease of the caller's queue entry in milliseconds
-- ARGV[6] grantLeaseMs: the lease the lock gets when it is handed to the caller from the queue
-- ARGV[7] channel: hand-offs are announced on "<channel>:<inbox of the waiter>" (a key of the lock's hash slot)
-- ARGV[8] publishCommand: "PUBLISH" (standalone, sentinel) or "SPUBLISH" (cluster: sharded pub/sub)
-- ARGV[9] inbox: the caller's inbox (its process subscribes to "<channel>:<inbox>"), mode "2"; may be empty otherwise
-- Reply: { 1, fencingToken } acquired: the lock was free with nobody waiting before the caller, or
--        the caller already held it (the retry of an acquisition whose reply was lost, or a
--        hand-off whose announcement was lost): a fresh, larger token, lease set to ttlMs;
--        { 2, 0 } re-entered (mode "1"): the caller holds it, lease reset to ttlMs;
--        { 0, pttl } held by another owner; pttl: its remaining lease in ms, -1 if it has no TTL.
--        Mode "2" also queued the caller (or kept its place and refreshed its entry). A free lock
--        with live waiters before the caller is first handed to the first of them (and announced);
--        { -1, 0 } re-entry refused (mode "1"): the caller does not hold the lock any more
--!include include/lock-queue.lua
local lock_key = KEYS[1]
local fence_key = KEYS[2]
local queue_key = KEYS[3]
local waiters_key = KEYS[4]
local owner = ARGV[1]
local mode = ARGV[4]
local entry_ttl_ms = tonumber(ARGV[5])
local grant_lease_ms = tonumber(ARGV[6])
local channel = ARGV[7]
local publish_command = ARGV[8]
local inbox = ARGV[9]

-- Both are sent as given (no number formatting on the hot path), so both must be plain positive
-- integer text that Redis takes as a PX (no sign, leading zero, exponent or fraction; < 10^15).
if not ARGV[3] or #ARGV[2] > 15 or #ARGV[3] > 15 or not string.match(ARGV[2] .. ':' .. ARGV[3], '^[1-9]%d*:[1-9]%d*$') then
  return redis.error_reply('ERR lock/acquire: ttlMs and fenceTtlMs must be positive integers')
end
if not entry_ttl_ms or entry_ttl_ms <= 0 or not grant_lease_ms or grant_lease_ms <= 0 or grant_lease_ms % 1 ~= 0 then
  return redis.error_reply('ERR lock/acquire: entryTtlMs and grantLeaseMs must be positive integers')
end
if mode ~= '0' and mode ~= '1' and mode ~= '2' then
  return redis.error_reply('ERR lock/acquire: mode must be 0, 1 or 2')
end
if publish_command ~= 'PUBLISH' and publish_command ~= 'SPUBLISH' then
  return redis.error_reply('ERR lock/acquire: publishCommand must be PUBLISH or SPUBLISH')
end
if mode == '2' and (not inbox or inbox == '' or string.find(inbox, ':', 1, true)) then
  return redis.error_reply('ERR lock/acquire: inbox must be a non-empty name without ":" in mode 2')
end
local reenter = mode == '1'

-- The common cases first, in one call: a held lock answers with its holder, a free one is taken
-- (NX: an existing key stays; GET returns the holder). GET fails with WRONGTYPE on a key of
-- another type, and SET ... GET then writes nothing: foreign data is never overwritten. A lock
-- taken that way goes back when someone waits (its holder's lease ran out before a hand-off):
-- the queue decides below.
local current
if reenter then
  current = redis.call('GET', lock_key)
else
  current = redis.call('SET', lock_key, owner, 'NX', 'PX', ARGV[2], 'GET')
  if not current then
    if redis.call('EXISTS', queue_key) == 0 then
      return { 1, (lock_mint_fence(fence_key, ARGV[3])) }
    end
    redis.call('DEL', lock_key)
  end
end
if current == owner then
  redis.call('PEXPIRE', lock_key, ARGV[2])
  if reenter then
    return { 2, 0 }
  end
  lock_queue_remove(queue_key, waiters_key, owner)
  return { 1, (lock_mint_fence(fence_key, ARGV[3])) }
end
if reenter then
  if current then
    return { 0, redis.call('PTTL', lock_key) }
  end
  return { -1, 0 }
end

local now_us, now_text = lock_clock_us()
local now_ms = math.floor(now_us / 1000)
if not current then
  -- Free, with a queue: the holder's lease ran out before anyone handed the lock on. The first
  -- live waiter gets it; that is the caller when it is first (or nobody live is left).
  local head, lease, head_inbox = lock_queue_pop(queue_key, waiters_key, now_ms)
  if not head or head == owner then
    if not head then
      lock_queue_remove(queue_key, waiters_key, owner)
    end
    redis.call('SET', lock_key, owner, 'PX', ARGV[2])
    return { 1, (lock_mint_fence(fence_key, ARGV[3], now_us, now_text)) }
  end
  lock_queue_hand(lock_key, fence_key, head, lease, head_inbox, now_us, now_text, ARGV[3], channel, publish_command)
end
if mode == '2' then
  lock_queue_join(queue_key, waiters_key, owner, now_ms, entry_ttl_ms, grant_lease_ms, inbox)
end
return { 0, redis.call('PTTL', lock_key) }
