// The `retry` option under a storm of killed connections (CLIENT KILL every 20 ms): batches of
// puts only and of reads only are safe to repeat, so with `retry` callers see no error and
// every item reads back as put.
import { afterAll, describe, expect, it } from 'vitest';
import { killConnectionsRepeatedly } from '@x/tooling/faults';
import { randomPrefix, useStandalone } from '@x/tooling/vitest';
import { RedisStore } from '../src/index.js';

const WRITERS = 8;
const ITEMS = 25;

describe('RedisStore retry under killed connections', () => {
  const server = useStandalone();
  const stores: RedisStore[] = [];
  afterAll(async () => {
    for (const store of stores) await store.close();
  });

  it('with retry: no caller-visible error on puts, gets and searches; every item stored', { timeout: 60_000 }, async () => {
    const store = new RedisStore(server().url, { prefix: randomPrefix('store-retry'), retry: { attempts: 50, baseDelayMs: 10, maxDelayMs: 200, deadlineMs: 20_000 } });
    stores.push(store);
    await store.get(['warm', 'up'], 'k'); // connected, script loaded before the storm
    const storm = killConnectionsRepeatedly(server(), 20);
    let killed = 0;
    const errors: unknown[] = [];
    try {
      await Promise.all(
        Array.from({ length: WRITERS }, async (_, w) => {
          for (let i = 0; i < ITEMS; i++) {
            try {
              await store.put(['writers', `w${w}`], `item-${i}`, { i });
              expect((await store.get(['writers', `w${w}`], `item-${i}`))?.value).toEqual({ i });
              expect(await store.search(['writers', `w${w}`], { filter: { i }, limit: 1 })).toHaveLength(1);
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
    expect(killed).toBeGreaterThan(0); // the storm did cut the store's connection
    for (let w = 0; w < WRITERS; w++) {
      const items = await store.search(['writers', `w${w}`], { limit: 100 });
      expect(items.map((item) => item.value.i).sort((a, b) => a - b)).toEqual(Array.from({ length: ITEMS }, (_, i) => i));
    }
    console.log(`[fault] langgraph-store retry: ${WRITERS * ITEMS} put/get/search rounds, ${killed} connections killed, 0 caller-visible errors`);
  });
});
