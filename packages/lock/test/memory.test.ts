import { describe, expect, it } from 'vitest';
import { AbortError, LockLostError, LockTimeoutError, createLock, type HeldLock } from '../src/index.js';
import { blockEventLoop, lockName, tick, trackUnhandledRejections, until } from './helpers.js';

trackUnhandledRejections();

// No Redis given: a real in-process lock with the same API (a fallback that always succeeds would be a bug).
describe('in-process lock (no Redis)', () => {
  it('excludes every lock object of the same name in the process', async () => {
    const name = lockName('mem');
    const one = createLock(null, name);
    const two = createLock(null, name);
    expect(one.kind).toBe('memory');
    const held = await one.acquire();
    expect(await two.tryAcquire()).toBeNull();
    expect(await one.tryAcquire()).toBeNull();
    await expect(two.acquire({ timeoutMs: 20 })).rejects.toBeInstanceOf(LockTimeoutError);
    // Other names and other prefixes are independent.
    expect(await createLock(null, `${name}-other`).tryAcquire()).not.toBeNull();
    expect(await createLock(null, name, { prefix: 'elsewhere' }).tryAcquire()).not.toBeNull();
    await held.release();
    const next = await two.tryAcquire();
    expect(next!.fencingToken).toBeGreaterThan(held.fencingToken);
    await next!.release();
  });

  it('serialises concurrent critical sections, wakes waiters in FIFO order, tokens strictly increase', async () => {
    const name = lockName('mem-fifo');
    const locks = Array.from({ length: 5 }, () => createLock(null, name));
    let value = 0;
    let inside = 0;
    const seen: { token: number; read: number; who: number }[] = [];
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        locks[i % 5]!.withLock(async ({ fencingToken }) => {
          inside++;
          expect(inside).toBe(1);
          const read = value;
          await tick();
          value = read + 1;
          seen.push({ token: fencingToken, read, who: i });
          inside--;
        }),
      ),
    );
    expect(value).toBe(50);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.token).toBeGreaterThan(seen[i - 1]!.token);
    // The first took it at once; everyone else waited and was served in arrival order.
    expect(seen.map((s) => s.who)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('re-enters in the same async scope; concurrent tasks wait', async () => {
    const lock = createLock(null, lockName('mem-reenter'));
    await lock.withLock(async (outer) => {
      const inner = await lock.acquire({ timeoutMs: 100 });
      expect(inner.reentered).toBe(true);
      expect(inner.fencingToken).toBe(outer.fencingToken);
      await inner.release();
      expect(outer.isHeld()).toBe(true);
    });
    const order: string[] = [];
    await Promise.all([
      lock.withLock(async () => {
        order.push('a-in');
        await tick();
        order.push('a-out');
      }),
      lock.withLock(async () => {
        order.push('b-in');
        order.push('b-out');
      }),
    ]);
    expect(order).toEqual(['a-in', 'a-out', 'b-in', 'b-out']);
  });

  it('leases expire without renewal: the signal aborts first, then a waiter takes over', async () => {
    const name = lockName('mem-lease');
    const holder = createLock(null, name, { ttlMs: 200, autoRenew: false });
    const waiter = createLock(null, name);
    const held = await holder.acquire();
    const waiting = waiter.acquire({ timeoutMs: 5000 });
    await until(() => held.signal.aborted, 'the deadline');
    expect((held.signal.reason as LockLostError).reason).toBe('expiring');
    const next = await waiting;
    expect(next.fencingToken).toBeGreaterThan(held.fencingToken);
    // Token-checked: the old holder cannot release the new holder's lock.
    expect(await held.release()).toBe(false);
    expect(next.isHeld()).toBe(true);
    await next.release();
  });

  it('renews while held, and a blocked event loop is noticed at once', async () => {
    const lock = createLock(null, lockName('mem-renew'), { ttlMs: 100 });
    const held = await lock.acquire();
    await until(() => lock.stats.renewals >= 4, 'renewals');
    expect(held.signal.aborted).toBe(false);
    blockEventLoop(150);
    expect(held.signal.aborted).toBe(true);
    expect(held.isHeld()).toBe(false);
    await held.release();
  });

  it('honours abort signals and timeouts while waiting, and leaves nothing held', async () => {
    const name = lockName('mem-cancel');
    const lock = createLock(null, name);
    const held = await lock.acquire();
    const controller = new AbortController();
    const aborted = lock.acquire({ signal: controller.signal });
    const timedOut = lock.acquire({ timeoutMs: 30 });
    const survivor = lock.acquire();
    controller.abort();
    await expect(aborted).rejects.toBeInstanceOf(AbortError);
    await expect(timedOut).rejects.toBeInstanceOf(LockTimeoutError);
    await held.release();
    const next: HeldLock = await survivor;
    expect(lock.stats).toMatchObject({ aborts: 1, timeouts: 1 });
    await next.release();
    expect(await lock.tryAcquire().then((h) => h?.release())).toBe(true);
  });
});
