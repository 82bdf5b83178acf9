import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useStandalone } from '@x/tooling/vitest';
import { connectClient, type RedisClient } from '@x/tooling/redis';
import { RoundTripProxy } from '@x/tooling/proxy';
import { createClient } from 'redis';
import { createRedisAdapter, type RedisAdapter } from '@x/redis-adapter';
import { LockLostError, createLock, lockKeys, type HeldLock, type LockEventMap } from '../src/index.js';
import { deferred, lockName, testPrefix, trackUnhandledRejections, until } from './helpers.js';

trackUnhandledRejections();

// Destructive tests on a private server: SCRIPT FLUSH, killed connections, restarts, outages.
describe('failure modes (private standalone server)', () => {
  const server = useStandalone();
  const prefix = testPrefix('failures');
  let clientA: RedisClient;
  let clientB: RedisClient;
  let admin: RedisClient;
  let adapterA: RedisAdapter;
  let adapterB: RedisAdapter;

  beforeAll(async () => {
    clientA = await connectClient(server().url);
    clientB = await connectClient(server().url);
    admin = await connectClient(server().url);
    adapterA = createRedisAdapter(clientA);
    adapterB = createRedisAdapter(clientB);
  });
  afterAll(async () => {
    await adapterA.close();
    await adapterB.close();
    for (const c of [clientA, clientB, admin]) await c.close().catch(() => undefined);
  });

  const pubsubClientIds = async () => {
    const list = String(await admin.sendCommand(['CLIENT', 'LIST', 'TYPE', 'pubsub']));
    return [...list.matchAll(/^id=(\d+)/gm)].map((m) => m[1]!);
  };
  /** Processes subscribed to hand-offs of a lock: one inbox channel `<channel>:<inbox>` each. */
  const subscribers = async (channel: string) => {
    const reply = (await admin.sendCommand(['PUBSUB', 'CHANNELS', `${channel}:*`])) as string[];
    return reply.length;
  };

  it('survives SCRIPT FLUSH: acquire, renew and release fall back to EVAL', async () => {
    const lock = createLock(adapterA, lockName('flush'), { prefix, ttlMs: 300 });
    await (await lock.acquire()).release();
    await admin.sendCommand(['SCRIPT', 'FLUSH']);
    const fallbacks = adapterA.stats.noscriptFallbacks;
    const held = await lock.acquire();
    await admin.sendCommand(['SCRIPT', 'FLUSH']);
    await until(() => lock.stats.renewals >= 2, 'renewals after the flush');
    await admin.sendCommand(['SCRIPT', 'FLUSH']);
    expect(await held.release()).toBe(true);
    expect(adapterA.stats.noscriptFallbacks - fallbacks).toBeGreaterThanOrEqual(3);
    expect(lock.stats.losses).toBe(0);
  });

  it('keeps the lock through killed connections while renewing (node-redis reconnects)', async () => {
    const name = lockName('kill');
    const lock = createLock(adapterA, name, { prefix, ttlMs: 1500 });
    const failures: LockEventMap['renewFailed'][] = [];
    lock.on('renewFailed', (e) => failures.push(e));
    const held = await lock.acquire();
    for (let i = 0; i < 4; i++) {
      const renewals = lock.stats.renewals;
      await admin.sendCommand(['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes']);
      await until(() => lock.stats.renewals > renewals, `a renewal after kill #${i + 1}`);
    }
    expect(held.signal.aborted).toBe(false);
    expect(lock.stats.losses).toBe(0);
    expect(await held.release()).toBe(true);
  });

  it('a waiter whose subscriber connection was killed resubscribes and still wakes on the release', async () => {
    const name = lockName('resub');
    const channel = lockKeys(prefix, name).channel;
    const holder = createLock(adapterA, name, { prefix, ttlMs: 30_000 });
    const waiter = createLock(adapterB, name, { prefix, ttlMs: 30_000 });
    const held = await holder.acquire();
    const waiting = waiter.acquire({ timeoutMs: 15_000 });
    await until(async () => (await subscribers(channel)) === 1, 'the subscription');
    const before = await pubsubClientIds();
    await admin.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
    // A new subscriber connection (node-redis reconnects at once) is subscribed again.
    await until(
      async () => (await pubsubClientIds()).some((id) => !before.includes(id)) && (await subscribers(channel)) === 1,
      'the resubscription on a new connection',
    );
    await held.release();
    // The holder's lease was 30 s: only the release message can have woken it within the timeout.
    const next = await waiting;
    expect(next.fencingToken).toBeGreaterThan(held.fencingToken);
    await next.release();
  });

  it('a release announced while the waiter was cut off reaches nobody: the waiter resyncs and wakes long before the lease ends', async () => {
    const name = lockName('lost-announcement');
    const channel = lockKeys(prefix, name).channel;
    const proxy = await RoundTripProxy.start(server().host, server().port);
    const partitioned = createClient({ url: proxy.url, socket: { reconnectStrategy: 50 } });
    partitioned.on('error', () => undefined);
    await partitioned.connect();
    const adapterC = createRedisAdapter(partitioned);
    try {
      const holder = createLock(adapterA, name, { prefix, ttlMs: 30_000 });
      const waiter = createLock(adapterC, name, { prefix, ttlMs: 30_000 });
      const held = await holder.acquire();
      const waiting = waiter.acquire({ timeoutMs: 15_000 });
      await until(async () => (await subscribers(channel)) === 1, 'the subscription');
      proxy.cut();
      await until(async () => (await subscribers(channel)) === 0, 'the server to drop the cut subscriber');
      // Published while nobody listens: this announcement is lost for good.
      await held.release();
      await new Promise((r) => setTimeout(r, 300));
      proxy.restore();
      // The holder's lease was 30 s and the wait's timeout 15 s: only a resync can have woken it.
      const next = await waiting;
      expect(next.fencingToken).toBeGreaterThan(held.fencingToken);
      expect(waiter.stats.resyncRetries).toBeGreaterThan(0);
      expect(waiter.stats.fallbackRetries).toBe(0);
      await next.release();
    } finally {
      await adapterC.close();
      partitioned.destroy();
      await proxy.close();
    }
  });

  it('a server restart (data and scripts gone) while held and waited on: the holder learns, the waiter gets a larger token', async () => {
    const name = lockName('restart');
    const lost = deferred<LockLostError>();
    const holder = createLock(adapterA, name, { prefix, ttlMs: 1000, onLost: (e) => lost.resolve(e) });
    const waiter = createLock(adapterB, name, { prefix, ttlMs: 1000 });
    const held = await holder.acquire();
    const waiting = waiter.acquire({ timeoutMs: 20_000 });
    await until(() => waiter.stats.waits === 1, 'the waiter to block');
    await server().restart();
    const error = await lost.promise;
    expect(held.signal.aborted).toBe(true);
    expect(held.signal.reason).toBe(error);
    const next = await waiting;
    // The fencing counter was wiped with the data; the clock floor keeps tokens increasing.
    expect(next.fencingToken).toBeGreaterThan(held.fencingToken);
    expect(await held.release()).toBe(false);
    expect(await next.release()).toBe(true);
  });

  it('a server restart with a queue (scripts and queue gone): every waiter rejoins after the resync and is served', async () => {
    const name = lockName('restart-queue');
    const holder = createLock(adapterA, name, { prefix, ttlMs: 1000 });
    const w1 = createLock(adapterB, name, { prefix, ttlMs: 1000 });
    const w2 = createLock(adapterB, name, { prefix, ttlMs: 1000 });
    const held = await holder.acquire();
    const queueKey = lockKeys(prefix, name).queue;
    const queued = async () => Number(await admin.sendCommand(['ZCARD', queueKey]));
    const first = w1.acquire({ timeoutMs: 30_000 });
    const second = w2.acquire({ timeoutMs: 30_000 });
    await until(async () => (await queued()) === 2, 'both waiters to queue');
    await server().restart();
    // The queue, the lock and the scripts are gone: the waiters learn it from the resync (or
    // their next refresh), rejoin through EVAL (NOSCRIPT) and get the lock in turn.
    const [h1, h2] = await Promise.all([first.then(async (h) => (await h.release(), h)), second.then(async (h) => (await h.release(), h))]);
    expect(h1.fencingToken).toBeGreaterThan(held.fencingToken);
    expect(h2.fencingToken).toBeGreaterThan(held.fencingToken);
    expect(h1.fencingToken).not.toBe(h2.fencingToken);
    expect(w1.stats.resyncRetries + w1.stats.fallbackRetries).toBeGreaterThan(0);
    expect(await held.release()).toBe(false);
    expect(await queued()).toBe(0);
  });

  it('an outage longer than the lease: the signal aborts before the lease ends, waits resume after, nothing unhandled', async () => {
    const name = lockName('outage');
    const holder = createLock(adapterA, name, { prefix, ttlMs: 600 });
    const waiter = createLock(adapterB, name, { prefix, ttlMs: 600 });
    const held = await holder.acquire();
    const waiting = waiter.acquire({ timeoutMs: 30_000 });
    await until(() => waiter.stats.waits === 1, 'the waiter to block');
    const abortedAt = deferred<number>();
    held.signal.addEventListener('abort', () => abortedAt.resolve(performance.now()));
    await server().kill();
    await abortedAt.promise;
    expect((held.signal.reason as LockLostError).reason).toBe('expiring');
    await server().start();
    const next: HeldLock = await waiting;
    expect(next.fencingToken).toBeGreaterThan(held.fencingToken);
    expect(await held.release()).toBe(false);
    await next.release();
  });
});
