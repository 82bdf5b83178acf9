import { setTimeout as sleep } from 'node:timers/promises';
import { HarnessError } from './errors.js';

export interface WaitOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** Pause between two polls. */
  intervalMs?: number;
  /** What we are waiting for, for the timeout message. */
  what: string;
}

/**
 * Polls `check` until it returns a value other than `undefined`/`false`.
 * Errors thrown by `check` count as "not yet" and the last one is reported on timeout,
 * except a {@link HarnessError}, which ends the wait at once (e.g. "the server exited").
 */
export async function waitUntil<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs, intervalMs = 25, what }: WaitOptions,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      if (error instanceof HarnessError) throw error;
      lastError = error;
    }
    if (performance.now() >= deadline) {
      const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new HarnessError('WAIT_TIMEOUT', `Timed out after ${timeoutMs} ms waiting for ${what}${reason}`, {
        cause: lastError,
      });
    }
    await sleep(intervalMs);
  }
}
