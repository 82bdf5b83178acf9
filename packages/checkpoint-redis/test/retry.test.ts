// The `retry` option under a storm of killed connections (CLIENT KILL every 20 ms): every
// call of the saver is safe to repeat, so with `retry` callers see no error and every
// checkpoint and write is stored once.
import { afterAll, describe, expect, it } from 'vitest';
import { killConnectionsRepeatedly } from '@x/tooling/faults';
import { randomPrefix, useStandalone } from '@x/tooling/vitest';
import { RedisSaver } from '../src/index.js';
import { checkpoint, meta, toArray } from './fixtures.js';

const THREADS = 8;
const STEPS = 25;
const cfg = (thread_id: string, checkpoint_id?: string) => ({ configurable: { thread_id, checkpoint_ns: '', ...(checkpoint_id ? { checkpoint_id } : {}) } });

describe('RedisSaver retry under killed connections', () => {
  const server = useStandalone();
  const savers: RedisSaver[] = [];
  afterAll(async () => {
    for (const saver of savers) await saver.close();
  });

  it('with retry: no caller-visible error, every checkpoint and write stored once', { timeout: 60_000 }, async () => {
    const saver = await RedisSaver.fromUrl(server().url, { prefix: randomPrefix('cp-retry'), retry: { attempts: 50, baseDelayMs: 10, maxDelayMs: 200, deadlineMs: 20_000 } });
    savers.push(saver);
    await saver.getTuple(cfg('warm-up')); // the scripts are loaded before the storm
    const storm = killConnectionsRepeatedly(server(), 20);
    let killed = 0;
    const errors: unknown[] = [];
    try {
      await Promise.all(
        Array.from({ length: THREADS }, async (_, t) => {
          let parent: string | undefined;
          for (let step = 0; step < STEPS; step++) {
            const cp = checkpoint({ step }, { step: step + 1 });
            try {
              await saver.put(cfg(`t${t}`, parent), cp, meta(step), { step: step + 1 });
              await saver.putWrites(cfg(`t${t}`, cp.id), [['out', step]], `task-${step}`);
              expect((await saver.getTuple(cfg(`t${t}`)))?.checkpoint.id).toBe(cp.id);
            } catch (error) {
              errors.push(error);
            }
            parent = cp.id;
          }
        }),
      );
    } finally {
      killed = await storm.stop();
    }
    expect(errors).toEqual([]);
    expect(killed).toBeGreaterThan(0); // the storm did cut the saver's connection
    for (let t = 0; t < THREADS; t++) {
      const tuples = await toArray(saver.list(cfg(`t${t}`)));
      expect(tuples.map((tuple) => tuple.metadata?.step)).toEqual(Array.from({ length: STEPS }, (_, i) => STEPS - 1 - i));
      expect(tuples.map((tuple) => tuple.pendingWrites)).toEqual(tuples.map((tuple) => [[`task-${tuple.metadata?.step}`, 'out', tuple.metadata?.step]]));
    }
    console.log(`[fault] checkpoint-redis retry: ${THREADS * STEPS} steps (put, putWrites, getTuple), ${killed} connections killed, 0 caller-visible errors`);
  });
});
