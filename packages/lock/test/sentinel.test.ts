import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectTopology, forEachTopology, type SentinelTopology } from '@x/tooling/vitest';
import { createRedisAdapter, type RedisAdapter } from '@x/redis-adapter';
import { createLock } from '../src/index.js';
import { lockName, testPrefix, trackUnhandledRejections, until } from './helpers.js';

trackUnhandledRejections();

// A sentinel-managed master: commands go to the current master, announcements use plain PUBLISH.
forEachTopology(['sentinel'], (t: SentinelTopology) => {
  const prefix = testPrefix('sentinel');
  const closers: (() => Promise<unknown>)[] = [];
  let adapterA: RedisAdapter;
  let adapterB: RedisAdapter;

  beforeAll(async () => {
    const a = await connectTopology(t);
    const b = await connectTopology(t);
    adapterA = createRedisAdapter(a);
    adapterB = createRedisAdapter(b);
    closers.push(() => adapterA.close(), () => adapterB.close(), () => a.close(), () => b.close());
  });
  afterAll(async () => {
    for (const close of closers) await close().catch(() => undefined);
  });

  it('acquires, renews, and wakes a waiter of another connection on release', async () => {
    const name = lockName('sentinel');
    const holder = createLock(adapterA, name, { prefix, ttlMs: 1500 });
    const waiter = createLock(adapterB, name, { prefix, ttlMs: 30_000 });
    const held = await holder.acquire();
    const waiting = waiter.acquire({ timeoutMs: 20_000 });
    await until(() => holder.stats.renewals >= 1 && waiter.stats.waits === 1, 'renewals while the waiter blocks');
    const fallbacks = waiter.stats.fallbackRetries;
    await held.release();
    const next = await waiting;
    expect(next.fencingToken).toBeGreaterThan(held.fencingToken);
    // Woken by the announcement (its fallback would have been the holder's lease).
    expect(waiter.stats.fallbackRetries).toBe(fallbacks);
    await next.release();
  });
});
