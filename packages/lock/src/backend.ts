import type { WaitQueue } from './wait-queue.js';

/** What one acquire attempt found. */
export type AttemptResult =
  | { readonly kind: 'acquired'; readonly fencingToken: number }
  | { readonly kind: 'reentered' }
  | { readonly kind: 'held'; readonly pttlMs: number }
  | { readonly kind: 'not-owner' };

/** What a renewal found: extended, the lease was gone, or another owner holds the lock. */
export type RenewResult = 'renewed' | 'gone' | 'other-owner';

/**
 * How an attempt treats the queue: `try` never queues (tryAcquire, `timeoutMs: 0`),
 * `reenter` only re-enters, `wait` joins the queue when the lock is held (or keeps
 * the caller's place) and claims a lock reserved for the caller.
 */
export type AttemptMode = 'try' | 'reenter' | 'wait';

/** Per owner token of a queue refresh: 1 still queued, 2 the lock was handed to it, 0 not queued. */
export type QueueState = 0 | 1 | 2;

/** What a queue refresh found. */
export interface RefreshResult {
  /** The lock's remaining lease after the refresh (-2 free, -1 no expiry). */
  readonly pttlMs: number;
  /** One state per owner token refreshed, in order. */
  readonly states: readonly QueueState[];
}

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
  /**
   * One round trip: take a free lock nobody waits for (minting a fencing token), re-enter
   * one `owner` holds, or (mode `wait`) join the queue; `grantLeaseMs` is the lease the lock
   * gets when it is later handed to `owner` from the queue.
   */
  attempt(target: T, owner: string, ttlMs: number, mode: AttemptMode, grantLeaseMs: number): Promise<AttemptResult>;
  /** Extends the lease when `owner` still holds it. */
  renew(target: T, owner: string, ttlMs: number): Promise<RenewResult>;
  /**
   * Releases when `owner` holds the lock and hands it to the next waiter; removes `owner`'s
   * queue entry either way (a waiter giving up sends this too).
   * False when `owner` did not hold it.
   */
  release(target: T, owner: string): Promise<boolean>;
  /** Refreshes the queue entries of `owners` and hands on a lock whose lease ran out. */
  refresh(target: T, owners: readonly string[]): Promise<RefreshResult>;
  /** The process-wide queue of waiters of this name on this backend. */
  waitQueue(target: T): WaitQueue;
  /** The queue of this name, when one exists (never creates one). */
  existingQueue(target: T): WaitQueue | undefined;
}
