import { afterEach, describe, expect, it, vi } from 'vitest';
import { COMMANDS_PER_SIGNAL, MAX_WINDOW_MS, SharedDeadlines } from '../src/node-redis/deadlines.js';

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

  it('aborts a signal timeoutMs after its window closes, not before', () => {
    vi.useFakeTimers();
    const clock = { t: 0 };
    const deadlines = new SharedDeadlines(1000, () => clock.t);
    const { abortSignal } = deadlines.options(); // window: 100 ms, so aborted at 1100 ms
    vi.advanceTimersByTime(1099);
    expect(abortSignal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(abortSignal.aborted).toBe(true);
  });

  it('takes up to COMMANDS_PER_SIGNAL listeners on one signal without a leak warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const { abortSignal } = new SharedDeadlines(5000).options();
      const listeners = Array.from({ length: COMMANDS_PER_SIGNAL }, () => () => undefined);
      for (const l of listeners) abortSignal.addEventListener('abort', l, { once: true });
      for (const l of listeners) abortSignal.removeEventListener('abort', l);
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on a later tick
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });
});
