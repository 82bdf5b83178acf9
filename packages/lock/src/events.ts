import type { LockLostError } from './errors.js';

/** The events a lock emits, with their payloads. */
export interface LockEventMap {
  /** An acquisition or re-entry succeeded. `waitedMs` is 0 when it did not wait. */
  acquired: { name: string; fencingToken: number; reentered: boolean; waitedMs: number };
  /** A handle was released. `physical` is true when this released the key itself (the outermost handle). */
  released: { name: string; fencingToken: number; physical: boolean; heldMs: number };
  /** The watchdog (or `held.renew()`) extended the lease. */
  renewed: { name: string; fencingToken: number; renewals: number };
  /** A renewal failed with an error (not "not owner"); `willRetry` says whether it is retried within the lease. */
  renewFailed: { name: string; fencingToken: number; error: unknown; willRetry: boolean };
  /** Ownership was lost, or is about to be (`error.reason`). */
  lost: { name: string; fencingToken: number; error: LockLostError };
  /** A release failed with an error (the lease still runs out on its own). */
  releaseFailed: { name: string; fencingToken: number; error: unknown };
  /** An acquire that had to wait finished waiting. */
  waited: { name: string; waitedMs: number; outcome: 'acquired' | 'timeout' | 'aborted' | 'error' };
}

/** Names of {@link LockEventMap}. */
export type LockEventName = keyof LockEventMap;

/** Every event name `lock.on` accepts; any other name is refused with `InvalidArgumentError`. */
export const LOCK_EVENT_NAMES: readonly LockEventName[] = Object.freeze([
  'acquired',
  'released',
  'renewed',
  'renewFailed',
  'lost',
  'releaseFailed',
  'waited',
] as const satisfies readonly LockEventName[]);

/** A listener of one lock event. */
export type LockListener<E extends LockEventName> = (event: LockEventMap[E]) => void;

/** Counters of one lock object. Read them any time; they only grow. */
export interface LockStats {
  /** Fresh acquisitions (not re-entries). */
  acquisitions: number;
  /** Re-entries of a lock already held in the same async scope. */
  reentries: number;
  /** Physical releases: this lock deleted its key (or in-process entry) while still the owner. */
  releases: number;
  /** Successful renewals. */
  renewals: number;
  /** Renewals that failed with an error (retried while the lease allows). */
  renewFailures: number;
  /** Acquisitions lost (or given up before the lease could run out). */
  losses: number;
  /** Acquires that had to wait. */
  waits: number;
  /** Milliseconds spent waiting, summed over every wait. */
  waitMsTotal: number;
  /** Waits that ended in `LockTimeoutError`. */
  timeouts: number;
  /** Waits cancelled through their signal. */
  aborts: number;
  /** Acquire attempts sent (first tries, retries while waiting, re-entries). */
  attempts: number;
  /**
   * Attempts of a waiter that no hand-off announcement prompted: a queue refresh found
   * its entry gone (the lock was reserved for it but the announcement did not arrive,
   * its entry expired, or the queue was lost). Steady growth while locks are released
   * normally means announcements do not arrive.
   */
  fallbackRetries: number;
  /**
   * Attempts of a waiter prompted by a refresh during a resync: the connection carrying
   * announcements failed or was replaced (a restart, a failover), so one may have been
   * lost. The queue then refreshes every 250 ms for 3 s after the last sign of trouble.
   */
  resyncRetries: number;
  /**
   * Queue refreshes that covered a waiter of this lock (one call per lock name and
   * process covers all its waiters): every 2 s while waiting, at most one a second.
   */
  queueRefreshes: number;
}

/**
 * Calls a user callback so that nothing it does can break the lock: a throw is
 * swallowed, and so is the rejection of a promise it returns (never unhandled).
 */
export function callQuietly<A>(fn: ((arg: A) => unknown) | undefined, arg: A): void {
  if (!fn) return;
  try {
    const result = fn(arg) as { then?: unknown } | undefined;
    if (result && typeof result.then === 'function') {
      (result as PromiseLike<unknown>).then(undefined, () => undefined);
    }
  } catch {
    // ignored on purpose
  }
}

export function emptyStats(): LockStats {
  return {
    acquisitions: 0,
    reentries: 0,
    releases: 0,
    renewals: 0,
    renewFailures: 0,
    losses: 0,
    waits: 0,
    waitMsTotal: 0,
    timeouts: 0,
    aborts: 0,
    attempts: 0,
    fallbackRetries: 0,
    resyncRetries: 0,
    queueRefreshes: 0,
  };
}

/** A minimal typed emitter whose listeners can never throw into the lock. */
export class LockEvents {
  readonly #listeners = new Map<LockEventName, Set<(event: never) => void>>();

  on<E extends LockEventName>(event: E, listener: LockListener<E>): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as (event: never) => void);
    return () => {
      set.delete(listener as (event: never) => void);
    };
  }

  /** True when `event` has a listener (so a payload is only built when someone reads it). */
  has(event: LockEventName): boolean {
    const set = this.#listeners.get(event);
    return set !== undefined && set.size > 0;
  }

  emit<E extends LockEventName>(event: E, payload: LockEventMap[E]): void {
    const set = this.#listeners.get(event);
    if (!set || set.size === 0) return;
    for (const listener of [...set]) {
      callQuietly(listener as LockListener<E>, payload);
    }
  }
}
