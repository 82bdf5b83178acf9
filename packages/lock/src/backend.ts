import type { WaitQueue } from './wait-queue.js';

/** What one acquire attempt found. */
export type AttemptResult =
  | { readonly kind: 'acquired'; readonly fencingToken: number }
  | { readonly kind: 'reentered' }
  | { readonly kind: 'held'; readonly pttlMs: number }
  | { readonly kind: 'not-owner' };

/** What a renewal found: extended, the lease was gone, or another owner holds the lock. */
export type RenewResult = 'renewed' | 'gone' | 'other-owner';

/** One lock name on one backend. */
export interface LockTarget {
  readonly name: string;
  /** Unique per backend and name: the re-entrancy scope key. */
  readonly scopeKey: string;
}

/** Where locks live: Redis (through the adapter) or this process. */
export interface LockBackend<T extends LockTarget = LockTarget> {
  readonly kind: 'redis' | 'memory';
  /** Builds the target of one lock name. */
  target(name: string, prefix: string, fenceTtlMs: number): T;
  /** One round trip: take a free lock (minting a fencing token) or re-enter one `owner` holds. */
  attempt(target: T, owner: string, ttlMs: number, reenter: boolean): Promise<AttemptResult>;
  /** Extends the lease when `owner` still holds it. */
  renew(target: T, owner: string, ttlMs: number): Promise<RenewResult>;
  /** Releases when `owner` still holds it and wakes waiters; false when it did not hold it. */
  release(target: T, owner: string): Promise<boolean>;
  /** The process-wide queue of waiters of this name on this backend. */
  waitQueue(target: T): WaitQueue;
}
