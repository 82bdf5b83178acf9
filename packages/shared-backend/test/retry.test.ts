// The `retry` option on the registry and deletes under a storm of killed connections
// (CLIENT KILL every 20 ms): setting or deleting the same thing again leaves the same state,
// so `registrySet`, `registryDelete` and `bufferDeleteThread` are retried, and callers see
// no error.
import { afterAll, describe, expect, it } from 'vitest';
import { killConnectionsRepeatedly } from '@x/tooling/faults';
import { randomPrefix, useStandalone } from '@x/tooling/vitest';
import { RedisBackend } from '../src/index.js';

const WORKERS = 8;
const ROUNDS = 50;

describe('RedisBackend retry of registry writes and deletes under killed connections', () => {
  const server = useStandalone();
  const backends: RedisBackend[] = [];
  afterAll(async () => {
    for (const backend of backends) await backend.close();
  });

  it('with retry: no caller-visible error; the registry and threads end as written', { timeout: 60_000 }, async () => {
    const backend = new RedisBackend(server().url, { prefix: randomPrefix('sb-retry'), retry: { attempts: 50, baseDelayMs: 10, maxDelayMs: 200, deadlineMs: 20_000 } });
    backends.push(backend);
    await backend.registryGetUuid('warm-up'); // connected, layout checked, scripts loaded before the storm
    const storm = killConnectionsRepeatedly(server(), 20);
    let killed = 0;
    const errors: unknown[] = [];
    try {
      await Promise.all(
        Array.from({ length: WORKERS }, async (_, w) => {
          for (let i = 0; i < ROUNDS; i++) {
            try {
              await backend.registrySet(`chain-${w}-${i}`, `uuid-${w}-${i}`);
              if (i % 2 === 1) await backend.registryDelete(`uuid-${w}-${i}`);
              await backend.bufferAppend(`thread-${w}-${i}`, 'x', { operationId: `op-${w}-${i}` });
              if (i % 2 === 1) await backend.bufferDeleteThread(`thread-${w}-${i}`);
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
    expect(killed).toBeGreaterThan(0); // the storm did cut the backend's connection
    for (let w = 0; w < WORKERS; w++) {
      for (let i = 0; i < ROUNDS; i++) {
        expect(await backend.registryGetUuid(`chain-${w}-${i}`)).toBe(i % 2 === 1 ? null : `uuid-${w}-${i}`);
        expect(await backend.bufferThreadExists(`thread-${w}-${i}`)).toBe(i % 2 === 0);
      }
    }
    console.log(`[fault] shared-backend retry: ${WORKERS * ROUNDS} set/delete rounds, ${killed} connections killed, 0 caller-visible errors`);
  });
});
