import { Keyspace } from '@x/redis-adapter';

/** The default key prefix of locks. */
export const DEFAULT_PREFIX = 'lock';

/** Every Redis name one lock uses; all share the hash tag of the lock name (one cluster slot). */
export interface LockKeys {
  /** The owner token of the current holder (a string), expiring with the lease. */
  readonly lock: string;
  /** The last fencing token minted for this name; expires `fenceTtlMs` after the last acquisition. */
  readonly fence: string;
  /** The pub/sub channel a release is announced on (sharded on a cluster: same slot as the keys). */
  readonly channel: string;
}

/**
 * The keys of lock `name` under `prefix`:
 * `<prefix>:{<prefix>:<name>}:lock`, `...:fence` and the channel `...:released`,
 * with the name percent-encoded so no name can reach another's keys.
 */
export function lockKeys(prefix: string, name: string): LockKeys {
  const ks = new Keyspace(prefix);
  return {
    lock: ks.key(name, 'lock'),
    fence: ks.key(name, 'fence'),
    channel: ks.key(name, 'released'),
  };
}
