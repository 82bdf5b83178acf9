// The wait queue's two timers (the refresh timer, the linger that unsubscribes an idle queue) under
// steady hand-offs: set once and kept, not cleared and set again on every join and leave, yet the
// refresh still comes when it is due, never before, the linger still counts from the last time the
// queue went idle, and an idle queue keeps nothing alive. Plumbing only (a fake feed and refresh):
// the queue's behaviour against Redis is covered by queue.test.ts and processes.test.ts.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RefreshResult } from '../src/backend.js';
import { WaitQueue, type GrantFeed, type Waiter } from '../src/wait-queue.js';

const feed: GrantFeed = { start: async () => undefined, stop: async () => undefined };

function waiter(owner: string): Waiter {
  return { owner, granted: () => undefined, wake: () => undefined, refreshSent: () => undefined, refreshed: () => undefined };
}

function makeQueue(lingerMs: number) {
  const refreshes: number[] = [];
  const idle: number[] = [];
  const queue = new WaitQueue(
    feed,
    async (owners): Promise<RefreshResult> => {
      refreshes.push(performance.now());
      return { pttlMs: -2, states: owners.map(() => 1 as const) };
    },
    { refreshMs: 2_000, minGapMs: 100 },
    lingerMs,
    () => idle.push(performance.now()),
  );
  return { queue, refreshes, idle };
}

/** Fake timers and a fake `performance.now()` (the queue's clock). */
function fakeClock(): number {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  return performance.now();
}

/** `at` (ms since `start`) lies in [lo, hi]. */
function expectAt(at: number | undefined, start: number, lo: number, hi: number): void {
  expect(at).toBeDefined();
  expect(at! - start).toBeGreaterThanOrEqual(lo);
  expect(at! - start).toBeLessThanOrEqual(hi);
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('wait queue timers', () => {
  it('a hundred joins and leaves arm the refresh timer and the linger once each, not per hand-off', () => {
    const { queue } = makeQueue(2_000);
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const clearTimeoutSpy = vi.spyOn(globalThis, 'clearTimeout');
    for (let i = 0; i < 100; i++) {
      const w = waiter(`w${i}`);
      queue.join(w, 400);
      queue.leave(w);
    }
    // One refresh timer (at the first lease end) and one linger timer.
    expect(setTimeoutSpy).toHaveBeenCalledTimes(2);
    expect(clearTimeoutSpy).not.toHaveBeenCalled();
    void queue.close();
  });

  it('a timer kept from an earlier waiter does not refresh early: it looks again and refreshes when the lease ends', async () => {
    const start = fakeClock();
    const { queue, refreshes } = makeQueue(10_000);
    const first = waiter('first');
    queue.join(first, 50); // the refresh timer is armed for 100 ms from now (the least gap between refreshes)
    queue.leave(first);
    const second = waiter('second');
    queue.join(second, 400); // due at about 402 ms: the armed timer fires first and must not refresh
    await vi.advanceTimersByTimeAsync(300);
    expect(refreshes).toEqual([]);
    await vi.advanceTimersByTimeAsync(200);
    expect(refreshes.length).toBe(1);
    expectAt(refreshes[0], start, 401, 410);
    await queue.close();
  });

  it('the linger counts from the last time the queue went idle, however often it was busy in between', async () => {
    const start = fakeClock();
    const { queue, idle } = makeQueue(200);
    const a = waiter('a');
    queue.join(a, -2);
    queue.leave(a); // idle at 0: the linger timer is armed for 200 ms
    await vi.advanceTimersByTimeAsync(150);
    const b = waiter('b');
    queue.join(b, -2);
    await vi.advanceTimersByTimeAsync(30);
    queue.leave(b); // idle again at 180: closes at 380, not at 200
    await vi.advanceTimersByTimeAsync(100);
    expect(idle).toEqual([]);
    await vi.advanceTimersByTimeAsync(150);
    expect(idle.length).toBe(1);
    expectAt(idle[0], start, 380, 385);
  });

  it('a queue busy when the linger fires stays open', async () => {
    fakeClock();
    const { queue, idle } = makeQueue(200);
    const a = waiter('a');
    queue.join(a, -2);
    queue.leave(a);
    queue.join(waiter('b'), -2); // still waiting when the linger fires
    await vi.advanceTimersByTimeAsync(1_000);
    expect(idle).toEqual([]);
    await queue.close();
    expect(idle.length).toBe(1);
  });

  it('an idle queue keeps the process alive with no timer; a waiting one does', () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const { queue } = makeQueue(2_000);
    const w = waiter('w');
    queue.join(w, 400);
    expect(timers()).toBe(before + 1); // the refresh timer, while someone waits
    queue.leave(w);
    expect(timers()).toBe(before); // kept, but no longer holding the process open (the linger never does)
    queue.join(waiter('again'), 400);
    expect(timers()).toBe(before + 1); // the kept timer holds it open again
    void queue.close();
    expect(timers()).toBe(before);
  });
});
