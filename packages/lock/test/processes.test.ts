import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectTopology, forEachTopology, type Topology } from '@x/tooling/vitest';
import { startJsonWorker, workerTarget, type WorkerProcess } from '@x/tooling/workers';
import { createRedisAdapter, type RedisAdapter } from '@x/redis-adapter';
import { createLock, lockKeys } from '../src/index.js';
import { lockName, testPrefix, trackUnhandledRejections, until } from './helpers.js';

trackUnhandledRejections();

// Plain Node on the built package: run `pnpm build` first (`pnpm test` does).
const waiterFile = fileURLToPath(new URL('./fixtures/queued-waiter.mjs', import.meta.url));
const PROCESSES = 50;

// 50 operating-system processes queued on one lock: each has its own connections, subscriber
// and inbox, as in production. They are served in the order they queued, each with the one
// acquire call that queued it.
forEachTopology(['standalone', 'cluster'], (t: Topology) => {
  const prefix = testPrefix('procs');
  let inspect: RedisAdapter;
  let close: () => Promise<unknown>;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    const conn = await connectTopology(t);
    inspect = createRedisAdapter(conn);
    close = async () => (await inspect.close(), await conn.close());
  });
  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    for await (const keys of inspect.scan({ match: `${prefix}:*` })) {
      for (const key of keys) await inspect.command({ command: ['DEL', key], keys: [key] });
    }
    await close();
  });

  it(`${PROCESSES} processes waiting: served in arrival order, one acquire call each`, { timeout: 240_000 }, async () => {
    const name = lockName('procs');
    const queueKey = lockKeys(prefix, name).queue;
    const queued = () => inspect.command<number>({ command: ['ZCARD', queueKey], keys: [queueKey] });
    const holder = createLock(inspect, name, { prefix, ttlMs: 60_000 });
    const held = await holder.acquire();

    const cwd = fileURLToPath(new URL('..', import.meta.url));
    for (let i = 0; i < PROCESSES; i++) {
      workers.push(startJsonWorker(waiterFile, { redis: workerTarget(t), prefix, name }, { cwd, stdin: true }));
    }
    const seen = (w: WorkerProcess, key: string) => w.lines.some((l) => l[key] === true);
    await until(async () => workers.every((w) => seen(w, 'ready') || w.child.exitCode !== null), 'every worker to start', 180_000);
    // One at a time, so the arrival order is the index order.
    for (let i = 0; i < PROCESSES; i++) {
      workers[i]!.send('go');
      await until(async () => seen(workers[i]!, 'queued') && (await queued()) === i + 1, `worker ${i} to queue`, 30_000);
    }
    await held.release();
    const results = await Promise.all(workers.map((w) => w.done));

    const tokens = results.map((lines) => lines.find((l) => 'token' in l)!.token as number);
    // Each hand-off mints a larger fencing token, so the tokens rise in the order the lock was
    // handed on: here, the order the workers queued in.
    const order = tokens.map((token, i) => ({ token, i })).sort((a, b) => a.token - b.token).map((x) => x.i);
    expect(order).toEqual(Array.from({ length: PROCESSES }, (_, i) => i));
    expect(Math.min(...tokens)).toBeGreaterThan(held.fencingToken);
    const stats = results.map((lines) => lines.find((l) => 'stats' in l)!.stats as Record<string, number>);
    expect(stats.map((s) => s.attempts)).toEqual(Array(PROCESSES).fill(1));
    expect(stats.map((s) => s.acquisitions)).toEqual(Array(PROCESSES).fill(1));
    expect(await queued()).toBe(0);
  });
});
