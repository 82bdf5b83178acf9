-- Acquire the lock, or re-enter it when the caller already holds it; a fresh
-- acquisition mints a fencing token in the same call.
-- KEYS[1] lockKey: string, the owner token of the current holder; expires with the lease
-- KEYS[2] fenceKey: string, the last fencing token minted for this lock name
-- ARGV[1] owner: the acquisition's random owner token (the holder's own token to re-enter)
-- ARGV[2] ttlMs: lease length in milliseconds
-- ARGV[3] fenceTtlMs: how long the fencing counter outlives the last acquisition, in milliseconds
-- ARGV[4] reenter: "1" only re-enters (never takes a free lock), "0" takes a free lock
-- Reply: { 1, fencingToken } acquired (with reenter "0" also when owner already holds it: the retry
--        of an acquisition whose reply was lost; it gets a fresh, larger token);
--        { 2, 0 } re-entered (reenter "1"): the caller holds it, lease reset to ttlMs;
--        { 0, pttl } held by another owner (pttl: its remaining lease in ms, -1 if it has no TTL);
--        { -1, 0 } re-entry refused (reenter "1"): the caller does not hold the lock any more
--!include include/lock-fence.lua
local lock_key = KEYS[1]
local fence_key = KEYS[2]
local owner = ARGV[1]
local ttl_ms = tonumber(ARGV[2])
local fence_ttl_ms = tonumber(ARGV[3])
local reenter = ARGV[4] == '1'

if not ttl_ms or ttl_ms <= 0 or not fence_ttl_ms or fence_ttl_ms <= 0 then
  return redis.error_reply('ERR lock/acquire: ttlMs and fenceTtlMs must be positive integers')
end

-- The common case first: a free lock is taken in one call (NX: any existing key, of any type, stays).
if not reenter and redis.call('SET', lock_key, owner, 'NX', 'PX', ttl_ms) then
  return { 1, lock_mint_fence(fence_key, fence_ttl_ms) }
end

-- GET fails with WRONGTYPE on a key of another type: foreign data is never overwritten.
local current = redis.call('GET', lock_key)
if current == owner then
  redis.call('PEXPIRE', lock_key, ttl_ms)
  if reenter then
    return { 2, 0 }
  end
  return { 1, lock_mint_fence(fence_key, fence_ttl_ms) }
end
if current then
  return { 0, redis.call('PTTL', lock_key) }
end
return { -1, 0 }
