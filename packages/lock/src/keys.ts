import { Keyspace } from '@x/redis-adapter';

/** The default key prefix of locks. */
export const DEFAULT_PREFIX = 'lock';

/** Every Redis name one lock uses; all share the hash tag of the lock name (one cluster slot). */
export interface LockKeys {
  /** The owner token of the current holder (a string), expiring with the lease. */
  readonly lock: string;
  /** The last fencing token minted for this name; expires `fenceTtlMs` after the last acquisition. */
  readonly fence: string;
  /**
   * The waiter queue: a sorted set of the waiting acquisitions' owner tokens by arrival
   * (first come, first served across every process).
   */
  readonly queue: string;
  /** Each queued owner token's entry expiry (server time, ms): a waiter that stopped refreshing is skipped. */
  readonly waiters: string;
  /**
   * The prefix of the pub/sub channels (sharded on a cluster: same slot as the keys) on which
   * the lock is handed to the next waiter: `<channel>:<inbox>`, one inbox per client and
   * process; the message is `<owner>:<fencingToken>` of the waiter it was handed to.
   */
  readonly channel: string;
}

/**
 * The keys of lock `name` under `prefix`:
 * `<prefix>:{<prefix>:<name>}:lock`, `...:fence`, `...:queue`, `...:waiters` and the channel `...:released`,
 * with the name percent-encoded so no name can reach another's keys.
 */
export function lockKeys(prefix: string, name: string): LockKeys {
  const ks = new Keyspace(prefix);
  return {
    lock: ks.key(name, 'lock'),
    fence: ks.key(name, 'fence'),
    queue: ks.key(name, 'queue'),
    waiters: ks.key(name, 'waiters'),
    channel: ks.key(name, 'released'),
  };
}
