import { RedisPrimitiveError, errorGuard } from '@x/redis-adapter';

export {
  ClosedError,
  CommandError,
  ConnectionClosedError,
  ConnectionError,
  CrossSlotError,
  InputTooLargeError,
  InvalidArgumentError,
  RedisPrimitiveError,
  ScriptError,
  UnknownOptionError,
  isRetryable,
  isClosedError,
  isInvalidArgumentError,
} from '@x/redis-adapter';

/** A wait for the lock ran out of time (`timeoutMs`). Nothing is held. */
export class LockTimeoutError extends RedisPrimitiveError {
  /** Brand shared by every copy of the package (`instanceof` and `isLockTimeoutError` rely on it). */
  static readonly brand = Symbol.for('@x/lock:LockTimeoutError');
  /** The lock name. */
  readonly lockName: string;
  /** The timeout that ran out, in milliseconds. */
  readonly timeoutMs: number;

  constructor(lockName: string, timeoutMs: number) {
    super('ERR_LOCK_TIMEOUT', `timed out after ${timeoutMs} ms waiting for lock ${JSON.stringify(lockName)}`);
    this.lockName = lockName;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * Why ownership was lost:
 * - `not-owner`: Redis says the lease is gone or someone else holds the lock now;
 * - `expiring`: no renewal was confirmed in time (renew errors, `maxRenewals` reached,
 *   `autoRenew: false`, or an event loop blocked past the deadline), so the lease
 *   may run out before the holder could learn of it.
 */
export type LockLostReason = 'not-owner' | 'expiring';

/**
 * The holder lost the lock, or is about to lose it and must stop. This is the
 * `reason` of `held.signal` when it aborts that way, and what `onLost` receives.
 */
export class LockLostError extends RedisPrimitiveError {
  /** Brand shared by every copy of the package (`instanceof` and `isLockLostError` rely on it). */
  static readonly brand = Symbol.for('@x/lock:LockLostError');
  /** The lock name. */
  readonly lockName: string;
  /** The fencing token of the lost acquisition. */
  readonly fencingToken: number;
  /** Why it was lost. */
  readonly reason: LockLostReason;

  constructor(lockName: string, fencingToken: number, reason: LockLostReason, options?: { cause?: unknown }) {
    const why =
      reason === 'not-owner'
        ? 'the lease is gone or another owner holds it'
        : 'no renewal was confirmed before the safety deadline; the lease may run out';
    super('ERR_LOCK_LOST', `lock ${JSON.stringify(lockName)} (fencing token ${fencingToken}) lost: ${why}`, options);
    this.lockName = lockName;
    this.fencingToken = fencingToken;
    this.reason = reason;
  }
}

/**
 * An operation needs the lock to be held and it is not (released, lost, or
 * never acquired in this async scope). Also the `reason` of a handle's signal
 * once the handle was released.
 */
export class LockNotHeldError extends RedisPrimitiveError {
  /** Brand shared by every copy of the package (`instanceof` and `isLockNotHeldError` rely on it). */
  static readonly brand = Symbol.for('@x/lock:LockNotHeldError');
  /** The lock name. */
  readonly lockName: string;

  constructor(lockName: string, message: string, options?: { cause?: unknown }) {
    super('ERR_LOCK_NOT_HELD', `lock ${JSON.stringify(lockName)}: ${message}`, options);
    this.lockName = lockName;
  }
}

/**
 * A wait for the lock was cancelled through the caller's `signal`. Nothing is
 * held. `name` is `'AbortError'` (as with `fetch` and `timers/promises`);
 * `cause` is the signal's reason.
 */
export class AbortError extends RedisPrimitiveError {
  /** Brand shared by every copy of the package (`instanceof` and `isAbortError` rely on it). */
  static readonly brand = Symbol.for('@x/lock:AbortError');
  constructor(message = 'the wait for the lock was aborted', options?: { cause?: unknown }) {
    super('ABORT_ERR', message, options);
  }
}

/** True for a {@link LockTimeoutError} from any copy of this package. */
export const isLockTimeoutError = errorGuard(LockTimeoutError);
/** True for a {@link LockLostError} from any copy of this package. */
export const isLockLostError = errorGuard(LockLostError);
/** True for a {@link LockNotHeldError} from any copy of this package. */
export const isLockNotHeldError = errorGuard(LockNotHeldError);
/** True for an {@link AbortError} of this package, from any copy of it. */
export const isAbortError = errorGuard(AbortError);
