// The `retry` option under a storm of killed connections (CLIENT KILL every 20 ms): a retried
// acquisition sends the same owner token, so one whose reply was lost is taken over by its
// retry (never left to run out as a stranger's lease): every tryAcquire of a free name
// succeeds, every release finds its lock.
import { afterAll, describe, expect, it } from 'vitest';
import { killConnectionsRepeatedly } from '@x/tooling/faults';
import { useStandalone } from '@x/tooling/vitest';
import { createRedisAdapter, type RedisAdapter } from '@x/redis-adapter';
import { createLock, type HeldLock } from '../src/index.js';
import { lockName, testPrefix } from './helpers.js';

const WORKERS = 16;
const ROUNDS = 100;

describe('lock retry under killed connections', () => {
  const server = useStandalone();
  const adapters: RedisAdapter[] = [];
  afterAll(async () => {
    for (const adapter of adapters) await adapter.close();
  });

  it('with retry: every tryAcquire of a free name gets the lock, no caller-visible error', { timeout: 60_000 }, async () => {
    const adapter = createRedisAdapter(server().url);
    adapters.push(adapter);
    await adapter.ready();
    const prefix = testPrefix('retry');
    const retry = { attempts: 50, baseDelayMs: 10, maxDelayMs: 200, deadlineMs: 20_000 };
    const warm = await createLock(adapter, lockName('warm'), { prefix, retry }).tryAcquire(); // scripts loaded before the storm
    await warm?.release();
    const storm = killConnectionsRepeatedly(server(), 20);
    let killed = 0;
    const errors: unknown[] = [];
    let missed = 0;
    const held: HeldLock[] = [];
    try {
      await Promise.all(
        Array.from({ length: WORKERS }, async (_, w) => {
          for (let i = 0; i < ROUNDS; i++) {
            try {
              const lock = createLock(adapter, lockName(`w${w}-${i}`), { prefix, retry, autoRenew: false, ttlMs: 60_000 });
              const got = await lock.tryAcquire();
              if (got === null) missed++;
              else held.push(got);
            } catch (error) {
              errors.push(error);
            }
          }
        }),
      );
    } finally {
      killed = await storm.stop();
    }
    expect(errors).toEqual([]);
    expect(killed).toBeGreaterThan(0); // the storm did cut the lock's connection
    expect(missed).toBe(0); // no acquisition left behind as a stranger's lease
    expect(held).toHaveLength(WORKERS * ROUNDS);
    for (const h of held) expect(await h.release()).toBe(true);
    console.log(`[fault] lock retry: ${WORKERS * ROUNDS} tryAcquire of free names, ${killed} connections killed, 0 errors, 0 missed`);
  });
});
