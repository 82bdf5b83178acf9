/**
 * A fenced distributed lock on plain Redis: one-round-trip acquire with
 * re-entry and a monotonic fencing token, a watchdog that aborts the holder's
 * signal before the lease can run out, waiting on (sharded) pub/sub without
 * polling, and an in-process lock with the same API when no Redis is given.
 *
 * @packageDocumentation
 */
export { createLock, isLockError, type Lock } from './lock.js';
export type { HeldLock } from './held.js';
export type { AcquireOptions, GuardOptions, TryAcquireOptions, LockOptions, ResolvedLockOptions } from './options.js';
export { LOCK_EVENT_NAMES } from './events.js';
export type { LockEventMap, LockEventName, LockListener, LockStats } from './events.js';
export { fencedWrite, DEFAULT_TOKEN_FIELD, type FencedWriteOptions, type FencedWriteResult } from './fenced-write.js';
export { lockKeys, DEFAULT_PREFIX, type LockKeys } from './keys.js';
export {
  AbortError,
  ClosedError,
  CommandError,
  ConnectionClosedError,
  ConnectionError,
  CrossSlotError,
  InputTooLargeError,
  InvalidArgumentError,
  LockLostError,
  LockNotHeldError,
  LockTimeoutError,
  RedisPrimitiveError,
  ScriptError,
  UnknownOptionError,
  isAbortError,
  isClosedError,
  isInvalidArgumentError,
  isLockLostError,
  isLockNotHeldError,
  isLockTimeoutError,
  isRetryable,
  type LockLostReason,
} from './errors.js';
