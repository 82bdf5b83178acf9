import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectTopology, forEachTopology, type Topology } from '@x/tooling/vitest';
import { createRedisAdapter, type RedisAdapter } from '@x/redis-adapter';
import { LockLostError, createLock, fencedWrite } from '../src/index.js';
import { blockEventLoop, lockName, testPrefix, trackUnhandledRejections, until } from './helpers.js';
import { coordinates, startWorker } from './worker-process.js';

trackUnhandledRejections();

forEachTopology(['standalone', 'cluster'], (t: Topology) => {
  const prefix = testPrefix('mp');
  let adapter: RedisAdapter;
  let close: () => Promise<unknown>;

  beforeAll(async () => {
    const client = await connectTopology(t);
    adapter = createRedisAdapter(client);
    close = () => client.close();
  });
  afterAll(async () => {
    for await (const keys of adapter.scan({ match: `${prefix}:*` })) {
      for (const key of keys) await adapter.command({ command: ['DEL', key], keys: [key] });
    }
    await adapter.close();
    await close();
  });

  it('serialises a non-atomic read-modify-write across 4 processes: no lost update, in fencing-token order', async () => {
    const name = lockName('counter');
    const counterKey = `${prefix}:{${prefix}:counter}:${name}`;
    const goKey = `${prefix}:{${prefix}:counter}:${name}:go`;
    const iterations = 25;
    const workers = Array.from({ length: 4 }, () =>
      startWorker({ mode: 'counter', topology: coordinates(t), prefix, name, iterations, counterKey, goKey }),
    );
    await until(() => workers.every((w) => w.lines.some((l) => l.ready)), 'every worker to be ready', 30_000);
    await adapter.command({ command: ['SET', goKey, '1'], keys: [goKey] });
    const outputs = (await Promise.all(workers.map((w) => w.done))).map((lines) => lines.filter((l) => !l.ready));
    const total = workers.length * iterations;
    expect(Number(await adapter.command({ command: ['GET', counterKey], keys: [counterKey] }))).toBe(total);
    const records = outputs.flatMap((lines) => (lines[0]!.records as { token: number; read: number }[]));
    expect(records).toHaveLength(total);
    // Sorted by fencing token, the values read are exactly 0, 1, 2, ...: tokens order the critical sections.
    records.sort((x, y) => x.token - y.token);
    expect(records.map((r) => r.read)).toEqual(Array.from({ length: total }, (_, i) => i));
    for (const lines of outputs) expect(lines.at(-1)).toEqual({ unhandled: [] });
    // They really contended: at least some acquisitions had to wait.
    const waits = outputs.reduce((n, lines) => n + (lines[0]!.stats as { waits: number }).waits, 0);
    expect(waits).toBeGreaterThan(0);
  });

  it('a holder paused past its TTL: its signal has aborted, another process got a larger token, its fenced write is refused', async () => {
    const name = lockName('paused');
    const resource = `${prefix}:{${prefix}:resource}:${name}`;
    const lock = createLock(adapter, name, { prefix, ttlMs: 500 });
    const held = await lock.acquire();
    expect((await fencedWrite(adapter, resource, held.fencingToken, { by: 'parent' })).written).toBe(true);
    const child = startWorker({ mode: 'fenced-acquirer', topology: coordinates(t), prefix, name, resource });
    await until(() => child.lines.some((l) => l.blocked), 'the other process to block on the lock', 20_000);

    blockEventLoop(1500); // GC pause, a long synchronous task, a debugger: no renewal can run
    expect(held.signal.aborted).toBe(true);
    expect(held.signal.reason).toBeInstanceOf(LockLostError);

    const lines = await child.done;
    const got = lines.find((l) => 'token' in l) as { token: number; written: boolean };
    expect(got.written).toBe(true);
    expect(got.token).toBeGreaterThan(held.fencingToken);
    const stale = await fencedWrite(adapter, resource, held.fencingToken, { by: 'parent, late' });
    expect(stale).toEqual({ written: false, highestToken: got.token });
    expect(await adapter.command({ command: ['HGET', resource, 'by'], keys: [resource] })).toBe('child');
    expect(lines.at(-1)).toEqual({ unhandled: [] });
    expect(await held.release()).toBe(false);
  });
});
