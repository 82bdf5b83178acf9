import { afterEach, describe, expect, it, vi } from 'vitest';
import { COMMANDS_PER_SIGNAL, MAX_SHARED_TIMEOUT_MS, MAX_WINDOW_MS, SharedDeadlines } from '../src/node-redis/deadlines.js';

// The bookkeeping of the shared command deadlines, on a made-up clock (no Redis:
// command-timeout.test.ts checks what node-redis does with them on a real server).
describe('SharedDeadlines', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('shares one signal between up to COMMANDS_PER_SIGNAL commands, then opens a new one', () => {
    const clock = { t: 1000 };
    const deadlines = new SharedDeadlines(5000, () => clock.t);
    const first = deadlines.options();
    expect(first).toEqual({ timeout: 0, abortSignal: expect.any(AbortSignal) });
    for (let i = 1; i < COMMANDS_PER_SIGNAL; i++) expect(deadlines.options()).toBe(first);
    const second = deadlines.options();
    expect(second.abortSignal).not.toBe(first.abortSignal);
    expect(second.timeout).toBe(0);
  });

  it('opens a new signal once the window has passed: MAX_WINDOW_MS, or a tenth of a short timeout', () => {
    const clock = { t: 1000 };
    const long = new SharedDeadlines(5000, () => clock.t);
    const short = new SharedDeadlines(200, () => clock.t);
    const a = long.options();
    const b = short.options();
    clock.t += 19;
    expect(long.options()).toBe(a);
    expect(short.options()).toBe(b);
    clock.t += 1; // 20 ms: a tenth of 200
    expect(long.options()).toBe(a);
    expect(short.options()).not.toBe(b);
    clock.t += MAX_WINDOW_MS - 20;
    expect(long.options()).not.toBe(a);
  });

  it('aborts a signal timeoutMs after its window closes, by a Node timer that fake timers cannot stop', async () => {
    vi.useFakeTimers(); // a caller's test with fake timers must not hold the deadline back
    const deadlines = new SharedDeadlines(300); // window 30 ms: aborted 330 ms after it opened
    const openedAt = performance.now();
    const { abortSignal } = deadlines.options();
    vi.useRealTimers();
    expect(abortSignal.aborted).toBe(false);
    await new Promise((resolve) => abortSignal.addEventListener('abort', resolve, { once: true }));
    expect(performance.now() - openedAt).toBeGreaterThanOrEqual(329);
  });

  it('refuses timeouts a timer cannot hold (node-redis keeps those)', () => {
    expect(() => new SharedDeadlines(MAX_SHARED_TIMEOUT_MS)).not.toThrow();
    expect(() => new SharedDeadlines(MAX_SHARED_TIMEOUT_MS + 1)).toThrow(RangeError);
    expect(() => new SharedDeadlines(2_147_483_647)).toThrow(RangeError);
    expect(() => new SharedDeadlines(0)).toThrow(RangeError);
  });

  it('takes many listeners on one signal without a leak warning (a keyless command goes to every cluster node)', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const { abortSignal } = new SharedDeadlines(5000).options();
      const listeners = Array.from({ length: COMMANDS_PER_SIGNAL * 4 }, () => () => undefined);
      for (const l of listeners) abortSignal.addEventListener('abort', l, { once: true });
      for (const l of listeners) abortSignal.removeEventListener('abort', l);
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on a later tick
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });
});
