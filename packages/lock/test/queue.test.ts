import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectTopology, forEachTopology, type Topology } from '@x/tooling/vitest';
import { createRedisAdapter, type RedisAdapter } from '@x/redis-adapter';
import { createLock, lockKeys, type HeldLock } from '../src/index.js';
import { lockName, testPrefix, trackUnhandledRejections, until } from './helpers.js';
import { coordinates, startWorker } from './worker-process.js';

trackUnhandledRejections();

// The waiter queue in Redis: first come first served across clients, and what happens when a
// waiter or a holder dies while others wait.
forEachTopology(['standalone', 'cluster'], (t: Topology) => {
  const prefix = testPrefix('queue');
  const closers: (() => Promise<unknown>)[] = [];
  let inspect: RedisAdapter;

  /** A separate client: its own connection, subscriber and inbox (a process, as Redis sees it). */
  const client = async (): Promise<RedisAdapter> => {
    const conn = await connectTopology(t);
    const adapter = createRedisAdapter(conn);
    closers.push(
      () => adapter.close(),
      () => conn.close(),
    );
    return adapter;
  };
  const queued = (name: string) => {
    const key = lockKeys(prefix, name).queue;
    return inspect.command<number>({ command: ['ZCARD', key], keys: [key] });
  };

  beforeAll(async () => {
    inspect = await client();
  });
  afterAll(async () => {
    for await (const keys of inspect.scan({ match: `${prefix}:*` })) {
      for (const key of keys) await inspect.command({ command: ['DEL', key], keys: [key] });
    }
    for (const close of closers.reverse()) await close().catch(() => undefined);
  });

  it('50 clients waiting: served in arrival order, one attempt each, nothing sent to take a hand-off', async () => {
    const name = lockName('fifty');
    const adapters = await Promise.all(Array.from({ length: 50 }, () => client()));
    const holder = createLock(inspect, name, { prefix, ttlMs: 30_000 });
    const held = await holder.acquire();
    const locks = adapters.map((a) => createLock(a, name, { prefix, ttlMs: 30_000 }));
    const order: number[] = [];
    const tokens: number[] = [];
    const got: Promise<void>[] = [];
    // Queue them one after the other, so the arrival order is known.
    for (let i = 0; i < locks.length; i++) {
      got.push(
        locks[i]!.withLock(({ fencingToken }) => {
          order.push(i);
          tokens.push(fencingToken);
        }, { timeoutMs: 60_000 }),
      );
      await until(async () => (await queued(name)) === i + 1, `waiter ${i} to queue`);
    }
    const commandsBefore = adapters.map((a) => a.stats.commands);
    const refreshesBefore = locks.map((l) => l.stats.queueRefreshes);
    await held.release();
    await Promise.all(got);
    expect(order).toEqual(Array.from({ length: 50 }, (_, i) => i));
    for (let i = 1; i < tokens.length; i++) expect(tokens[i]).toBeGreaterThan(tokens[i - 1]!);
    // Each waiter sent one attempt (the one that queued it); to be served it only released.
    expect(locks.every((l) => l.stats.attempts === 1)).toBe(true);
    for (let i = 0; i < adapters.length; i++) {
      const refreshes = locks[i]!.stats.queueRefreshes - refreshesBefore[i]!;
      expect(adapters[i]!.stats.commands - commandsBefore[i]! - refreshes).toBe(1);
    }
    expect(await queued(name)).toBe(0);
  });

  it('a waiter killed (SIGKILL) while queued does not stall the lock: the next waiter gets it', async () => {
    const name = lockName('killed');
    const holder = createLock(await client(), name, { prefix, ttlMs: 30_000 });
    const held = await holder.acquire();
    // First in line: a process that will die. Its grant lease is min(ttlMs, ...) = 1 s.
    const doomed = startWorker({ mode: 'waiter', topology: coordinates(t), prefix, name, ttlMs: 1000 });
    doomed.done.catch(() => undefined);
    await until(() => doomed.lines.some((l) => l.blocked), 'the doomed process to queue', 20_000);
    await until(async () => (await queued(name)) === 1, 'its queue entry');
    const next = createLock(await client(), name, { prefix, ttlMs: 30_000 });
    const waiting = next.acquire({ timeoutMs: 30_000 });
    await until(async () => (await queued(name)) === 2, 'the second waiter to queue');
    doomed.child.kill('SIGKILL');
    await new Promise((r) => doomed.child.once('exit', r));
    // The release hands the lock to the dead process (its entry has not expired yet); its short
    // grant lease runs out and the live waiter's queue refresh hands the lock on.
    await held.release();
    const h: HeldLock = await waiting;
    expect(h.fencingToken).toBeGreaterThan(held.fencingToken);
    expect(await h.release()).toBe(true);
    expect(await queued(name)).toBe(0);
  });

  it('a holder that stops renewing and never releases (crashed, paused) with a queue behind it: the first waiter gets it', async () => {
    const name = lockName('holder-crash');
    // autoRenew off stands for a holder that stopped: its lease simply runs out.
    const holder = createLock(await client(), name, { prefix, ttlMs: 300, autoRenew: false });
    const held = await holder.acquire();
    const w1 = createLock(await client(), name, { prefix, ttlMs: 30_000 });
    const w2 = createLock(await client(), name, { prefix, ttlMs: 30_000 });
    const first = w1.acquire({ timeoutMs: 20_000 });
    await until(async () => (await queued(name)) === 1, 'the first waiter to queue');
    const second = w2.acquire({ timeoutMs: 20_000 });
    await until(async () => (await queued(name)) === 2, 'the second waiter to queue');
    // Nobody releases: the waiters' refresh at the end of the holder's lease hands it to w1.
    const h1 = await first;
    expect(h1.fencingToken).toBeGreaterThan(held.fencingToken);
    expect(held.signal.aborted).toBe(true);
    expect(await held.release()).toBe(false);
    expect(await h1.release()).toBe(true);
    const h2 = await second;
    expect(h2.fencingToken).toBeGreaterThan(h1.fencingToken);
    expect(await h2.release()).toBe(true);
  });

  it('a timed-out waiter leaves the queue at once; the one behind it is next', async () => {
    const name = lockName('timeout-leave');
    const holder = createLock(await client(), name, { prefix, ttlMs: 30_000 });
    const held = await holder.acquire();
    const quitter = createLock(await client(), name, { prefix });
    const patient = createLock(await client(), name, { prefix });
    const quitting = quitter.acquire({ timeoutMs: 300 }).catch((e: unknown) => e);
    await until(async () => (await queued(name)) === 1, 'the quitter to queue');
    const waiting = patient.acquire({ timeoutMs: 20_000 });
    await until(async () => (await queued(name)) === 2, 'the patient waiter to queue');
    expect((await quitting as Error).name).toBe('LockTimeoutError');
    await until(async () => (await queued(name)) === 1, 'the quitter to leave the queue');
    await held.release();
    const h = await waiting;
    expect(h.fencingToken).toBeGreaterThan(held.fencingToken);
    await h.release();
  });
});
