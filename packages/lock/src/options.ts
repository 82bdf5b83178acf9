import { InvalidArgumentError, assertId } from '@x/redis-adapter';
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
}

/** Options of one `acquire` / `withLock`. */
export interface AcquireOptions {
  /** Give up after this many milliseconds with `LockTimeoutError` (default: the lock's `timeoutMs`). 0 tries once. */
  timeoutMs?: number;
  /** Give up when this signal aborts, with an `AbortError`. */
  signal?: AbortSignal;
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
}

const DAY_MS = 86_400_000;
/** The longest TTL accepted: about 24.8 days, the largest delay a Node timer can hold. */
export const MAX_TTL_MS = 2_147_483_647;

function positiveInt(value: unknown, argument: string, min = 1, max = MAX_TTL_MS): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`${argument} must be an integer from ${min} to ${max}, got ${String(value)}`, {
      argument,
    });
  }
  return value;
}

/** Validates a wait limit: a non-negative integer or `Infinity`. */
export function checkTimeout(value: unknown, argument = 'timeoutMs'): number {
  if (value === Infinity) return Infinity;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_TTL_MS) {
    throw new InvalidArgumentError(`${argument} must be a non-negative integer (or Infinity), got ${String(value)}`, {
      argument,
    });
  }
  return value;
}

/** Validates the options of one acquire. */
export function checkAcquireOptions(options: unknown, defaults: ResolvedLockOptions): { timeoutMs: number; signal?: AbortSignal } {
  if (options === undefined) return { timeoutMs: defaults.timeoutMs };
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('acquire options must be an object', { argument: 'options' });
  }
  const o = options as AcquireOptions;
  const timeoutMs = o.timeoutMs === undefined ? defaults.timeoutMs : checkTimeout(o.timeoutMs);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) {
    throw new InvalidArgumentError('signal must be an AbortSignal', { argument: 'signal' });
  }
  return o.signal ? { timeoutMs, signal: o.signal } : { timeoutMs };
}

/** Validates lock options and fills in defaults; throws `InvalidArgumentError` before anything is sent. */
export function resolveLockOptions(options: unknown): ResolvedLockOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new InvalidArgumentError('lock options must be an object', { argument: 'options' });
  }
  const o = (options ?? {}) as LockOptions;
  const known = new Set([
    'ttlMs',
    'autoRenew',
    'renewIntervalMs',
    'maxRenewals',
    'safetyMarginMs',
    'timeoutMs',
    'prefix',
    'fenceTtlMs',
    'onLost',
  ]);
  for (const name of Object.keys(o)) {
    if (!known.has(name)) throw new InvalidArgumentError(`unknown lock option "${name}"`, { argument: name });
  }
  const ttlMs = o.ttlMs === undefined ? 30_000 : positiveInt(o.ttlMs, 'ttlMs', 10);
  if (o.autoRenew !== undefined && typeof o.autoRenew !== 'boolean') {
    throw new InvalidArgumentError('autoRenew must be a boolean', { argument: 'autoRenew' });
  }
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
      throw new InvalidArgumentError(`maxRenewals must be an integer, got ${String(o.maxRenewals)}`, {
        argument: 'maxRenewals',
      });
    }
    maxRenewals = Math.max(0, o.maxRenewals);
  }
  const timeoutMs = o.timeoutMs === undefined ? Infinity : checkTimeout(o.timeoutMs);
  const prefix = o.prefix === undefined ? DEFAULT_PREFIX : assertId(o.prefix, 'prefix');
  const fenceTtlMs = o.fenceTtlMs === undefined ? DAY_MS : positiveInt(o.fenceTtlMs, 'fenceTtlMs');
  if (o.onLost !== undefined && typeof o.onLost !== 'function') {
    throw new InvalidArgumentError('onLost must be a function', { argument: 'onLost' });
  }
  return {
    ttlMs,
    autoRenew: o.autoRenew ?? true,
    renewIntervalMs,
    maxRenewals,
    safetyMarginMs,
    timeoutMs,
    prefix,
    fenceTtlMs,
    onLost: o.onLost,
  };
}
