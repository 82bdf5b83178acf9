import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultTally, killConnectionsRepeatedly } from '@x/tooling/faults';
import { adminCommand, waitUntil } from '@x/tooling/redis';
import { randomPrefix, useStandalone } from '@x/tooling/vitest';
import { isRetryable, RedisBackend } from '../src/index.js';

/**
 * Appends under a storm of killed connections: a rejected append may have been
 * applied before its reply was lost. Retrying it without an operation id can
 * duplicate it; with one it cannot.
 */
/** Appends per wave, and the most waves a run makes while waiting for the storm to reach a caller. */
const WAVE = 50;
const MAX_WAVES = 200;

describe('appends under killed connections', () => {
  const server = useStandalone();
  const node = () => ({ host: server().host, port: server().port });
  let backend: RedisBackend;

  beforeAll(() => {
    backend = new RedisBackend(server().url, { prefix: randomPrefix('faults') });
  });
  afterAll(async () => {
    await backend.close();
  });

  /**
   * Appends at least `minCount` values, in concurrent waves of {@link WAVE}, while connections are
   * killed; retries each rejected one until it succeeds. Waves go on until the storm has rejected at
   * least one append (300 appends can all finish between two kills on a fast run). Returns every
   * value appended and what the thread holds.
   */
  async function run(thread: string, minCount: number, withIds: boolean, tally: FaultTally): Promise<{ values: string[]; stored: string[] }> {
    const values: string[] = [];
    const storm = killConnectionsRepeatedly(node());
    let rejected = 0;
    try {
      for (let wave = 0; (values.length < minCount || rejected === 0) && wave < MAX_WAVES; wave++) {
        const batch = Array.from({ length: WAVE }, (_, i) => `v${values.length + i}`);
        values.push(...batch);
        await Promise.all(
          batch.map(async (value) => {
            tally.counts.operations++;
            const options = withIds ? { operationId: `op-${value}` } : undefined;
            for (;;) {
              try {
                await backend.bufferAppend(thread, value, options);
                tally.ok();
                return;
              } catch (error) {
                rejected++;
                tally.failed(error);
                if (!isRetryable(error)) throw error;
              }
            }
          }),
        );
      }
    } finally {
      await storm.stop();
    }
    expect(rejected).toBeGreaterThan(0); // the fault reached the callers
    const stored = (await backend.bufferGetThread(thread)).map((b) => Buffer.from(b).toString());
    const seen = new Map<string, number>();
    for (const v of stored) seen.set(v, (seen.get(v) ?? 0) + 1);
    tally.counts.lost = values.filter((v) => !seen.has(v)).length;
    tally.counts.duplicated = [...seen.values()].reduce((n, c) => n + c - 1, 0);
    return { values, stored };
  }

  it('without operation ids, retried appends lose nothing, and every caller-visible error is retryable (duplicates are counted)', async () => {
    const tally = new FaultTally({ package: '@x/shared-backend', topology: 'standalone', fault: 'connection-kill', workload: 'bufferAppend without operationId, retried by the caller (before)' }, isRetryable);
    await run('no-ids', 300, false, tally);
    tally.report();
    expect(tally.counts.lost).toBe(0);
    expect(tally.permanentErrors).toBe(0);
  });

  it('with operation ids, retried appends are applied exactly once', async () => {
    const tally = new FaultTally({ package: '@x/shared-backend', topology: 'standalone', fault: 'connection-kill', workload: 'bufferAppend with operationId, retried by the caller (after)' }, isRetryable);
    const { values, stored } = await run('with-ids', 300, true, tally);
    tally.report();
    expect(tally.counts.lost).toBe(0);
    expect(tally.counts.duplicated).toBe(0);
    expect(stored).toHaveLength(values.length);
    expect(tally.permanentErrors).toBe(0);
  });

  it('with a retry policy, appends with operation ids ride out the kills without a caller-visible error', async () => {
    const retrying = new RedisBackend(server().url, { prefix: randomPrefix('faults'), retry: { attempts: 100, baseDelayMs: 5, maxDelayMs: 50, deadlineMs: 25_000 } });
    const tally = new FaultTally({ package: '@x/shared-backend', topology: 'standalone', fault: 'connection-kill', workload: 'bufferAppend with operationId and a retry policy' }, isRetryable);
    const storm = killConnectionsRepeatedly(node(), 20);
    try {
      await Promise.all(
        Array.from({ length: 200 }, async (_, i) => {
          tally.counts.operations++;
          try {
            await retrying.bufferAppend('policy', `v${i}`, { operationId: `op-${i}` });
            tally.ok();
          } catch (error) {
            tally.failed(error);
          }
        }),
      );
    } finally {
      expect(await storm.stop()).toBeGreaterThan(0);
    }
    const stored = (await retrying.bufferGetThread('policy')).map((b) => Buffer.from(b).toString());
    tally.counts.lost = 200 - new Set(stored).size;
    tally.counts.duplicated = stored.length - new Set(stored).size;
    tally.report();
    await retrying.close();
    expect(tally.counts.errors).toEqual({});
    expect(stored.sort()).toEqual(Array.from({ length: 200 }, (_, i) => `v${i}`).sort());
  });

  /** Reloads the server's data slowly (DEBUG RELOAD with a per-key delay), so it answers LOADING meanwhile. */
  async function whileLoading(body: () => Promise<void>): Promise<void> {
    const admin = node();
    await adminCommand(admin, ['DEBUG', 'POPULATE', '20000', 'faults-fill']);
    await adminCommand(admin, ['CONFIG', 'SET', 'key-load-delay', '20']);
    await adminCommand(admin, ['CONFIG', 'SET', 'loading-process-events-interval-bytes', '1024']);
    const reload = adminCommand(admin, ['DEBUG', 'RELOAD'], 60_000).catch(() => 'done');
    try {
      await waitUntil(async () => (await adminCommand(admin, ['PING']).catch((e: Error) => e.message)).startsWith('LOADING'), {
        timeoutMs: 10_000,
        what: 'the server loading',
      });
      await body();
    } finally {
      await reload;
      await adminCommand(admin, ['CONFIG', 'SET', 'key-load-delay', '0']);
    }
  }

  it('while the server loads its data after a restart, callers see only retryable errors, and a retry policy hides them', { timeout: 60_000 }, async () => {
    const plain = new RedisBackend(server().url, { prefix: randomPrefix('loading') });
    const retrying = new RedisBackend(server().url, { prefix: randomPrefix('loading'), retry: { attempts: 100, baseDelayMs: 50, maxDelayMs: 500, deadlineMs: 30_000 } });
    await plain.bufferAppend('warm', 'x');
    await retrying.bufferAppend('warm', 'x');
    const before = new FaultTally({ package: '@x/shared-backend', topology: 'standalone', fault: 'loading', workload: 'bufferAppend with operationId, no retry policy (the errors reach the caller)' }, isRetryable);
    const after = new FaultTally({ package: '@x/shared-backend', topology: 'standalone', fault: 'loading', workload: 'bufferAppend with operationId and a retry policy' }, isRetryable);
    await whileLoading(async () => {
      await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          before.counts.operations++;
          after.counts.operations++;
          await plain.bufferAppend('t', `v${i}`, { operationId: `op-${i}` }).then(
            () => before.ok(),
            (e: unknown) => before.failed(e),
          );
          await retrying.bufferAppend('t', `v${i}`, { operationId: `op-${i}` }).then(
            () => after.ok(),
            (e: unknown) => after.failed(e),
          );
        }),
      );
    });
    const stored = (await retrying.bufferGetThread('t')).map((b) => Buffer.from(b).toString());
    after.counts.lost = 50 - new Set(stored).size;
    after.counts.duplicated = stored.length - new Set(stored).size;
    before.report();
    after.report();
    await plain.close();
    await retrying.close();
    expect(Object.keys(before.counts.errors).length).toBeGreaterThan(0); // the fault reached callers
    expect(before.permanentErrors).toBe(0);
    expect(after.counts.errors).toEqual({});
    expect(after.counts.lost).toBe(0);
    expect(after.counts.duplicated).toBe(0);
  });
});
