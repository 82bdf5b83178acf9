// The Lua of the bench's fair floors (bench/contention-worker.ts runs them between processes,
// bench/server-cost.ts counts their server instructions): the least a fair queued lock's two
// script calls per acquisition can do on Redis 7.0.

/**
 * The least one script call of any correct fair hand-off does on Redis 7.0 (which has no
 * compare-and-set command): check the caller owns the lock, make the next waiter the owner
 * with a lease, mint its fencing token, announce it. Replies with PUBLISH's receiver count.
 * KEYS: lock, fence; ARGV: caller, next owner, lease ms, channel.
 */
export const HAND_OFF = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
local token = redis.call('INCR', KEYS[2])
return redis.call('PUBLISH', ARGV[4], ARGV[2] .. ':' .. token)`;

/**
 * The least a waiter's `acquire()` does on a held lock of a queued lock: one script call that
 * sees the lock held and records the caller as waiting (one hash field per worker, so it stays small).
 * KEYS: lock, waiters; ARGV: caller, a value to record.
 */
export const JOIN = `if redis.call('GET', KEYS[1]) then redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) end
return 1`;
