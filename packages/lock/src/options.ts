import {
  DEFAULT_MAX_ID_BYTES,
  InvalidArgumentError,
  MAX_ID_BYTES_LIMIT,
  checkBoolean,
  checkFunction,
  checkRetryPolicy,
  checkId,
  checkLimit,
  checkOptions,
  describeValue,
  type ResolvedRetryPolicy,
  type RetryPolicy,
} from '@x/redis-adapter';
import type { LockLostError } from './errors.js';
import { DEFAULT_PREFIX } from './keys.js';

/** Options of {@link createLock}. */
export interface LockOptions {
  /** Lease length in milliseconds (default 30 000). The key expires this long after the last acquire or renewal. */
  ttlMs?: number;
  /** Renew the lease in the background while held (default `true`). */
  autoRenew?: boolean;
  /** Renew every this many milliseconds (default `ttlMs / 3`). Must be shorter than `ttlMs - safetyMarginMs`. */
  renewIntervalMs?: number;
  /** Stop renewing after this many renewals; 0 or less: unlimited (default 0). */
  maxRenewals?: number;
  /**
   * How long before the lease could end (counted from when the last successful
   * acquire or renew was *sent*) `held.signal` aborts. Default: 5% of `ttlMs`,
   * but at least 50 ms (or a tenth of a shorter TTL) and at most 2 000 ms. Covers
   * clock-rate drift between this host and Redis, late timers (a busy event loop),
   * and the time the holder needs to stop.
   */
  safetyMarginMs?: number;
  /** Default wait limit of `acquire` and `withLock`, in milliseconds (default: wait indefinitely). */
  timeoutMs?: number;
  /** Key prefix (default `'lock'`). Locks of different prefixes never see each other. */
  prefix?: string;
  /**
   * How long the fencing counter of a name outlives its last acquisition, in
   * milliseconds (default 86 400 000, one day). Tokens keep increasing after it
   * expired (see the README: "What resets the fencing token").
   */
  fenceTtlMs?: number;
  /** Called (once per acquisition) when ownership is lost or about to be. Its errors are ignored. */
  onLost?: (error: LockLostError) => unknown;
  /**
   * Longest lock name (and prefix) accepted, in UTF-8 bytes (default 1024, at most 65 536).
   * A longer name is refused with `InputTooLargeError` (`ERR_TOO_LARGE`) before anything is sent.
   */
  maxIdBytes?: number;
  /**
   * Retry an acquisition attempt (`tryAcquire`, and the first attempt of
   * `acquire` / `withLock`) that failed with a retryable error (`isRetryable`:
   * connection loss, timeouts, `LOADING`, failover states): `true` for the
   * defaults or a `RetryPolicy`. A retry sends the same owner token, and the
   * acquire script recognises it: if the failed attempt had taken the lock (its
   * reply was lost), the retry gets it with a fresh fencing token instead of
   * waiting for that lease to run out. Default: no retries (waiters already
   * ride out retryable errors while they wait).
   */
  retry?: boolean | RetryPolicy;
}

/** Options of one `acquire` / `withLock`. */
export interface AcquireOptions {
  /** Give up after this many milliseconds with `LockTimeoutError` (default: the lock's `timeoutMs`). 0 tries once. */
  timeoutMs?: number;
  /** Give up when this signal aborts, with an `AbortError`. */
  signal?: AbortSignal;
}

/** Options of `lock.guard` and `held.guard`. */
export interface GuardOptions {
  /** Confirm ownership in Redis (and extend the lease, one round trip) before running `fn` (default `false`). */
  verify?: boolean;
}

/** Options after validation and defaults. */
export interface ResolvedLockOptions {
  readonly ttlMs: number;
  readonly autoRenew: boolean;
  readonly renewIntervalMs: number;
  readonly maxRenewals: number;
  readonly safetyMarginMs: number;
  readonly timeoutMs: number;
  readonly prefix: string;
  readonly fenceTtlMs: number;
  readonly onLost: ((error: LockLostError) => unknown) | undefined;
  readonly maxIdBytes: number;
  readonly retry: ResolvedRetryPolicy | undefined;
}

/** `tryAcquire` takes no options today (it never waits); the object is checked so a `timeoutMs` meant for `acquire` is not silently ignored. */
export type TryAcquireOptions = Record<string, never>;

/** Names of {@link LockOptions}. */
export const LOCK_OPTIONS = [
  'ttlMs',
  'autoRenew',
  'renewIntervalMs',
  'maxRenewals',
  'safetyMarginMs',
  'timeoutMs',
  'prefix',
  'fenceTtlMs',
  'onLost',
  'maxIdBytes',
  'retry',
] as const;

/** Names of {@link GuardOptions}. */
export const GUARD_OPTIONS = ['verify'] as const;

/** Names of {@link AcquireOptions}. */
export const ACQUIRE_OPTIONS = ['timeoutMs', 'signal'] as const;


const DAY_MS = 86_400_000;
/** The longest TTL accepted: about 24.8 days, the largest delay a Node timer can hold. */
export const MAX_TTL_MS = 2_147_483_647;

function positiveInt(value: unknown, argument: string, min = 1, max = MAX_TTL_MS): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`${argument} must be an integer from ${min} to ${max}, got ${describeValue(value)}`, {
      argument,
    });
  }
  return value;
}

/** Validates a wait limit: a non-negative integer or `Infinity`. */
export function checkTimeout(value: unknown, argument = 'timeoutMs'): number {
  if (value === Infinity) return Infinity;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_TTL_MS) {
    throw new InvalidArgumentError(`${argument} must be a non-negative integer (or Infinity), got ${describeValue(value)}`, {
      argument,
    });
  }
  return value;
}

/** Validates the options of one acquire (`where` names the call in messages). */
export function checkAcquireOptions(
  options: unknown,
  defaults: ResolvedLockOptions,
  where = 'acquire options',
): { timeoutMs: number; signal?: AbortSignal } {
  const o = checkOptions(options as AcquireOptions | undefined, where, { accepted: ACQUIRE_OPTIONS });
  const timeoutMs = o.timeoutMs === undefined ? defaults.timeoutMs : checkTimeout(o.timeoutMs);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) {
    throw new InvalidArgumentError('signal must be an AbortSignal', { argument: 'signal' });
  }
  return o.signal ? { timeoutMs, signal: o.signal } : { timeoutMs };
}

/** Validates the arguments of `lock.guard` / `held.guard` (`where` names the call in messages). */
export function checkGuardOptions(fn: unknown, options: unknown, where: string): { verify: boolean } {
  checkFunction(fn, `${where} fn`);
  if (fn === undefined) throw new InvalidArgumentError(`${where} needs a function`, { argument: 'fn' });
  const o = checkOptions(options as GuardOptions | undefined, `${where} options`, { accepted: GUARD_OPTIONS });
  return { verify: checkBoolean(o.verify, 'verify', false) };
}

/** Validates the options of `tryAcquire`: none are accepted; `timeoutMs`/`signal` point at `acquire`. */
export function checkTryAcquireOptions(options: unknown): void {
  checkOptions(options as Record<string, unknown> | undefined, 'tryAcquire options (tryAcquire never waits; use acquire({ timeoutMs }) to wait)', {
    accepted: [],
  });
}

/** Validates lock options and fills in defaults; throws `InvalidArgumentError` before anything is sent. */
export function resolveLockOptions(options: unknown): ResolvedLockOptions {
  const o = checkOptions(options as LockOptions | undefined, 'lock options', { accepted: LOCK_OPTIONS });
  const maxIdBytes = checkLimit(o.maxIdBytes, 'maxIdBytes', DEFAULT_MAX_ID_BYTES, 1, MAX_ID_BYTES_LIMIT);
  const ttlMs = o.ttlMs === undefined ? 30_000 : positiveInt(o.ttlMs, 'ttlMs', 10);
  const autoRenew = checkBoolean(o.autoRenew, 'autoRenew', true);
  const safetyMarginMs =
    o.safetyMarginMs === undefined
      ? Math.min(2000, Math.max(1, Math.round(ttlMs * 0.05), Math.min(50, Math.floor(ttlMs / 10))))
      : positiveInt(o.safetyMarginMs, 'safetyMarginMs', 0);
  if (safetyMarginMs * 2 >= ttlMs) {
    throw new InvalidArgumentError(`safetyMarginMs (${safetyMarginMs}) must be less than half of ttlMs (${ttlMs})`, {
      argument: 'safetyMarginMs',
    });
  }
  const renewIntervalMs =
    o.renewIntervalMs === undefined ? Math.max(1, Math.floor(ttlMs / 3)) : positiveInt(o.renewIntervalMs, 'renewIntervalMs');
  if (renewIntervalMs >= ttlMs - safetyMarginMs) {
    throw new InvalidArgumentError(
      `renewIntervalMs (${renewIntervalMs}) must be shorter than ttlMs - safetyMarginMs (${ttlMs - safetyMarginMs})`,
      { argument: 'renewIntervalMs' },
    );
  }
  let maxRenewals = 0;
  if (o.maxRenewals !== undefined) {
    if (typeof o.maxRenewals !== 'number' || !Number.isInteger(o.maxRenewals)) {
      throw new InvalidArgumentError(`maxRenewals must be an integer, got ${describeValue(o.maxRenewals)}`, {
        argument: 'maxRenewals',
      });
    }
    maxRenewals = Math.max(0, o.maxRenewals);
  }
  const timeoutMs = o.timeoutMs === undefined ? Infinity : checkTimeout(o.timeoutMs);
  const prefix = o.prefix === undefined ? DEFAULT_PREFIX : checkId(o.prefix, 'prefix', maxIdBytes);
  const fenceTtlMs = o.fenceTtlMs === undefined ? DAY_MS : positiveInt(o.fenceTtlMs, 'fenceTtlMs');
  const onLost = checkFunction<(error: LockLostError) => unknown>(o.onLost, 'onLost');
  return {
    ttlMs,
    autoRenew,
    renewIntervalMs,
    maxRenewals,
    safetyMarginMs,
    timeoutMs,
    prefix,
    fenceTtlMs,
    onLost,
    maxIdBytes,
    retry: checkRetryPolicy(o.retry),
  };
}
