import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { waitUntil } from '@x/tooling/redis';

/** A fresh lock name; names may contain anything, so some carry odd characters on purpose. */
export function lockName(label = 'l'): string {
  return `${label}:${randomBytes(5).toString('hex')}`;
}

/** A fresh prefix for one test file. */
export function testPrefix(label: string): string {
  return `t:lock-${label}-${randomBytes(4).toString('hex')}`;
}

/**
 * Collects every unhandled rejection of the process while the file runs and
 * fails the file if there was one (vitest would too; this names them).
 */
export function trackUnhandledRejections(): () => unknown[] {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => {
    seen.push(reason);
  };
  beforeAll(() => {
    process.on('unhandledRejection', listener);
  });
  afterAll(() => {
    process.off('unhandledRejection', listener);
    expect(seen).toEqual([]);
  });
  return () => seen;
}

/** Polls until `check` is truthy (never a fixed sleep). */
export function until<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<T> {
  return waitUntil(async () => (await check()) || undefined, { timeoutMs, intervalMs: 5, what }) as Promise<T>;
}

/** Resolves on the next turn of the event loop after the timers phase. */
export const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Blocks the event loop for `ms` (a holder paused by GC, a long sync task, a debugger). */
export function blockEventLoop(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy
  }
}

/** A promise with its resolve function, to coordinate test steps without sleeping. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
