import { InvalidArgumentError } from './errors.js';
import { isRetryable } from './retryable.js';
import { checkInteger } from './validate/numbers.js';
import { checkOptions } from './validate/options.js';

/**
 * An opt-in retry policy: how often and how long a package retries a call that
 * failed with a retryable error (see `isRetryable`). Packages apply it only to
 * calls that are safe to repeat: reads, idempotent writes, and writes that
 * carry an operation id.
 */
export interface RetryPolicy {
  /** Tries in all, the first one included (default 5, at most 100). */
  readonly attempts?: number;
  /** The backoff before the second try, in ms; doubles per try (default 50). */
  readonly baseDelayMs?: number;
  /** The largest backoff between two tries, in ms (default 1000). */
  readonly maxDelayMs?: number;
  /**
   * The time budget of all tries together, in ms (default 10 000): no try
   * starts after it. A failover usually completes within a few seconds.
   */
  readonly deadlineMs?: number;
}

/** The keys {@link RetryPolicy} accepts. */
export const RETRY_POLICY_OPTIONS = ['attempts', 'baseDelayMs', 'maxDelayMs', 'deadlineMs'] as const;

/** A checked {@link RetryPolicy} with every default filled in. */
export type ResolvedRetryPolicy = Required<RetryPolicy>;

/**
 * Checks a `retry` option: `undefined` or `false` is no retries (returns
 * `undefined`), `true` the defaults, an object a policy. Rejects anything else
 * with `InvalidArgumentError` before anything is sent.
 */
export function checkRetryPolicy(value: unknown, argument = 'retry'): ResolvedRetryPolicy | undefined {
  if (value === undefined || value === false) return undefined;
  if (value !== true && (typeof value !== 'object' || value === null)) {
    throw new InvalidArgumentError(`${argument} must be true, false or { attempts, baseDelayMs, maxDelayMs, deadlineMs }`, { argument });
  }
  const o = value === true ? {} : checkOptions(value as RetryPolicy, `${argument} options`, { accepted: RETRY_POLICY_OPTIONS });
  const policy = {
    attempts: checkInteger(o.attempts, `${argument}.attempts`, { min: 1, max: 100 }, 5),
    baseDelayMs: checkInteger(o.baseDelayMs, `${argument}.baseDelayMs`, { min: 0, max: 60_000 }, 50),
    maxDelayMs: checkInteger(o.maxDelayMs, `${argument}.maxDelayMs`, { min: 0, max: 600_000 }, 1_000),
    deadlineMs: checkInteger(o.deadlineMs, `${argument}.deadlineMs`, { min: 0, max: 3_600_000 }, 10_000),
  };
  if (policy.maxDelayMs < policy.baseDelayMs) {
    throw new InvalidArgumentError(`${argument}.maxDelayMs (${policy.maxDelayMs}) is below baseDelayMs (${policy.baseDelayMs})`, {
      argument: `${argument}.maxDelayMs`,
    });
  }
  return policy;
}

/** The backoff before try `n + 1` (n >= 1): full jitter, uniform in [0, min(max, base * 2^(n-1))]. */
export function backoffMs(policy: ResolvedRetryPolicy, failedTries: number, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(failedTries - 1, 30));
  return Math.floor(random() * cap);
}

/** What {@link withRetry} reports per retry. */
export interface RetryHooks {
  /** Abort the waiting between tries (the current error is thrown). */
  readonly signal?: AbortSignal;
  /** Called before each retry with the error that caused it and the try about to start (2, 3, ...). */
  readonly onRetry?: (error: unknown, attempt: number) => void;
}

/**
 * Runs `call`, and again after a backoff while it fails with a retryable error,
 * within the policy's tries and deadline. The last error is thrown as it was.
 * Without a policy, runs `call` once. Use it only for calls that are safe to
 * repeat (reads, idempotent writes, writes with an operation id).
 */
export async function withRetry<T>(policy: ResolvedRetryPolicy | undefined, call: () => Promise<T>, hooks: RetryHooks = {}): Promise<T> {
  if (policy === undefined) return call();
  const start = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= policy.attempts || !isRetryable(error) || hooks.signal?.aborted === true) throw error;
      const delay = backoffMs(policy, attempt);
      if (Date.now() - start + delay >= policy.deadlineMs) throw error;
      hooks.onRetry?.(error, attempt + 1);
      if (!(await sleep(delay, hooks.signal))) throw error;
    }
  }
}

/** Resolves true after `ms`, or false as soon as the signal aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
