import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTarget, forEachTopology, type ClientFor, type Topology } from '@x/tooling/vitest';
import { ConnectionError, createRedisAdapter, type RedisAdapter } from '@x/redis-adapter';
import {
  AbortError,
  InvalidArgumentError,
  LockLostError,
  LockNotHeldError,
  LockTimeoutError,
  createLock,
  fencedWrite,
  lockKeys,
  type HeldLock,
  type LockEventMap,
} from '../src/index.js';
import { deferred, lockName, testPrefix, tick, trackUnhandledRejections, until } from './helpers.js';

trackUnhandledRejections();

forEachTopology(['standalone', 'cluster'], (t: Topology) => {
  const prefix = testPrefix('api');
  // Two independent connections stand for two processes: each has its own adapter,
  // subscriber and wait queues.
  let a: ClientFor<Topology>;
  let b: ClientFor<Topology>;
  let inspect: RedisAdapter;
  let adapterA: RedisAdapter;
  let adapterB: RedisAdapter;

  beforeAll(async () => {
    // node-redis, or ioredis when X_REDIS_CLIENT=ioredis
    a = (await connectTarget(t)) as unknown as ClientFor<Topology>;
    b = (await connectTarget(t)) as unknown as ClientFor<Topology>;
    adapterA = createRedisAdapter(a);
    adapterB = createRedisAdapter(b);
    inspect = createRedisAdapter(await connectTarget(t));
  });
  afterAll(async () => {
    for await (const keys of inspect.scan({ match: `${prefix}:*` })) {
      for (const key of keys) await inspect.command({ command: ['DEL', key], keys: [key] });
    }
    await adapterA.close();
    await adapterB.close();
    await inspect.close();
    await a.close();
    await b.close();
  });

  const owner = (name: string) => {
    const key = lockKeys(prefix, name).lock;
    return inspect.command<string | null>({ command: ['GET', key], keys: [key] });
  };
  const exists = (key: string) => inspect.command<number>({ command: ['EXISTS', key], keys: [key] });

  it('acquires, exposes a fencing token and a live signal, and releases the key', async () => {
    const name = lockName('basic');
    const lock = createLock(adapterA, name, { prefix, ttlMs: 5000 });
    expect(lock.kind).toBe('redis');
    const held = await lock.acquire();
    expect(Number.isSafeInteger(held.fencingToken)).toBe(true);
    expect(held.signal.aborted).toBe(false);
    expect(held.isHeld()).toBe(true);
    expect(held.reentered).toBe(false);
    expect(await owner(name)).toMatch(/^[0-9a-f-]{36}$/);
    expect(await held.release()).toBe(true);
    expect(await exists(lockKeys(prefix, name).lock)).toBe(0);
    // The handle's signal aborts on release (with LockNotHeldError), and a second release is a no-op.
    expect(held.signal.aborted).toBe(true);
    expect(held.signal.reason).toBeInstanceOf(LockNotHeldError);
    expect(await held.release()).toBe(false);
    expect(lock.stats.releases).toBe(1);
  });

  it('acquire is one command; release is one command (the announcement is inside it)', async () => {
    const lock = createLock(adapterA, lockName('trips'), { prefix, ttlMs: 5000 });
    // Warm the script cache of the node (a first EVALSHA there is NOSCRIPT + EVAL).
    await (await lock.acquire()).release();
    const before = adapterA.stats.commands;
    const held = await lock.acquire();
    expect(adapterA.stats.commands - before).toBe(1);
    await held.release();
    expect(adapterA.stats.commands - before).toBe(2);
  });

  it('hands out strictly increasing fencing tokens across holders and connections', async () => {
    const name = lockName('fence');
    const la = createLock(adapterA, name, { prefix });
    const lb = createLock(adapterB, name, { prefix });
    const tokens: number[] = [];
    for (let i = 0; i < 10; i++) {
      const held = await (i % 2 ? lb : la).acquire();
      tokens.push(held.fencingToken);
      await held.release();
    }
    for (let i = 1; i < tokens.length; i++) expect(tokens[i]).toBeGreaterThan(tokens[i - 1]!);
  });

  it('tryAcquire never waits: a handle when free, null when held elsewhere', async () => {
    const name = lockName('try');
    const la = createLock(adapterA, name, { prefix });
    const lb = createLock(adapterB, name, { prefix });
    const held = await la.tryAcquire();
    expect(held).not.toBeNull();
    const before = adapterB.stats.commands;
    expect(await lb.tryAcquire()).toBeNull();
    expect(adapterB.stats.commands - before).toBe(1);
    // The same lock object, outside the holder's scope, is "anyone else" too.
    expect(await la.tryAcquire()).toBeNull();
    await held!.release();
    const again = await lb.tryAcquire();
    expect(again!.fencingToken).toBeGreaterThan(held!.fencingToken);
    await again!.release();
  });

  it('releases on scope exit with await using', async () => {
    const name = lockName('using');
    const lock = createLock(adapterA, name, { prefix });
    {
      await using held = await lock.acquire();
      expect(await owner(name)).not.toBeNull();
      expect(held.isHeld()).toBe(true);
    }
    expect(await owner(name)).toBeNull();
    expect(lock.stats.releases).toBe(1);
  });

  it('a waiter wakes on the release message and gets a larger token', async () => {
    const name = lockName('wake');
    const la = createLock(adapterA, name, { prefix, ttlMs: 30_000 });
    const lb = createLock(adapterB, name, { prefix, ttlMs: 30_000 });
    const held = await la.acquire();
    const waiting = lb.acquire({ timeoutMs: 20_000 });
    await until(() => lb.stats.waits === 1, 'the waiter to block');
    await held.release();
    const next = await waiting;
    // Far sooner than the 30 s fallback: it was the release message that woke it.
    expect(next.fencingToken).toBeGreaterThan(held.fencingToken);
    await next.release();
  });

  it('sends nothing while blocked but the queue refresh, and nothing to take a hand-off, in FIFO order', async () => {
    const name = lockName('quiet');
    const holder = createLock(adapterA, name, { prefix, ttlMs: 30_000 });
    const held = await holder.acquire();
    // Script calls of the waiters' process, by script name (the hand-off loop below counts releases
    // and acquires; the periodic queue refresh may fall anywhere in it on a slow machine).
    const scriptCalls = new Map<string, number>();
    const counted = new Proxy(adapterB, {
      get(target, prop) {
        if (prop === 'runScript') {
          return (...args: Parameters<RedisAdapter['runScript']>) => {
            scriptCalls.set(args[0].name, (scriptCalls.get(args[0].name) ?? 0) + 1);
            return target.runScript(...args);
          };
        }
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const calls = (script: string) => scriptCalls.get(script) ?? 0;
    const waiters = Array.from({ length: 10 }, () => createLock(counted, name, { prefix, ttlMs: 30_000 }));
    const order: number[] = [];
    const got = waiters.map((w, i) =>
      w.acquire({ timeoutMs: 25_000 }).then((h) => {
        order.push(i);
        return h;
      }),
    );
    await until(() => waiters.every((w) => w.stats.waits === 1), 'all ten to block');
    // Settle: the queue's one look after subscribing (one call covers all ten waiters).
    await until(() => waiters.every((w) => w.stats.queueRefreshes >= 1), 'the look after subscribing');
    // Every waiter joined the queue with its first attempt: no second attempt.
    expect(waiters.reduce((n, w) => n + w.stats.attempts, 0)).toBe(10);
    // Every script call of the process but the documented queue refresh (one for all ten waiters).
    const otherCalls = () =>
      [...scriptCalls].filter(([script]) => script !== 'lock/queue-refresh').reduce((n, [, c]) => n + c, 0);
    const before = otherCalls();
    for (let i = 0; i < 20; i++) await inspect.command({ command: ['PING'] }); // time passes, traffic elsewhere
    await tick();
    // Nothing but (if its time came) the queue refresh.
    expect(otherCalls()).toBe(before);

    // One release hands the lock to the first in line: its process sends nothing to take it.
    await held.release();
    const first = await Promise.race(got);
    expect(otherCalls()).toBe(before);
    expect(order).toEqual([0]);
    // Hand the lock down the queue: one release command per hand-off, in FIFO order.
    const handles: HeldLock[] = [first];
    for (let i = 1; i < 10; i++) {
      const releases = calls('lock/release');
      const acquires = calls('lock/acquire');
      await handles.at(-1)!.release();
      await until(() => order.length === i + 1, 'the next waiter');
      expect(calls('lock/release') - releases).toBe(1);
      expect(calls('lock/acquire') - acquires).toBe(0);
      handles.push(await got[order[i]!]!);
    }
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // One attempt each (the one that queued it), none after.
    expect(waiters.reduce((n, w) => n + w.stats.attempts, 0)).toBe(10);
    for (let i = 1; i < 10; i++) expect(handles[i]!.fencingToken).toBeGreaterThan(handles[i - 1]!.fencingToken);
    await handles.at(-1)!.release();
  });

  it('times out a wait with LockTimeoutError and aborts one with AbortError; nothing is left held', async () => {
    const name = lockName('cancel');
    const la = createLock(adapterA, name, { prefix });
    const lb = createLock(adapterB, name, { prefix });
    const held = await la.acquire();
    const timedOut = await lb.acquire({ timeoutMs: 50 }).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(LockTimeoutError);
    expect((timedOut as LockTimeoutError).code).toBe('ERR_LOCK_TIMEOUT');
    expect((timedOut as LockTimeoutError).timeoutMs).toBe(50);

    const controller = new AbortController();
    const aborting = lb.acquire({ signal: controller.signal }).catch((e: unknown) => e);
    await until(() => lb.stats.waits === 2, 'the second wait');
    controller.abort(new Error('user gave up'));
    const aborted = await aborting;
    expect(aborted).toBeInstanceOf(AbortError);
    expect((aborted as AbortError).name).toBe('AbortError');
    expect(((aborted as AbortError).cause as Error).message).toBe('user gave up');
    // An already aborted signal is refused before anything is sent.
    const c = adapterB.stats.commands;
    await expect(lb.acquire({ signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
    expect(adapterB.stats.commands).toBe(c);
    // Aborted while its first attempt is still in flight.
    const early = new AbortController();
    const earlyWait = lb.acquire({ signal: early.signal });
    early.abort();
    await expect(earlyWait).rejects.toBeInstanceOf(AbortError);
    // timeoutMs 0 tries once.
    await expect(lb.acquire({ timeoutMs: 0 })).rejects.toBeInstanceOf(LockTimeoutError);
    expect(lb.stats).toMatchObject({ timeouts: 2, aborts: 2, acquisitions: 0 });
    await held.release();
    // The cancelled waiters hold nothing: a fresh acquire succeeds at once.
    const after = await lb.tryAcquire();
    expect(after).not.toBeNull();
    await after!.release();
  });

  it('a waiter aborted while the lock is being handed to it hands it on to the next waiter', async () => {
    const name = lockName('abort-grant');
    // Holder and waiter share one connection, so the waiter's leave reaches Redis after the
    // release that handed it the lock: the hand-off and the abort cross.
    const holder = createLock(adapterB, name, { prefix });
    const waiter = createLock(adapterB, name, { prefix });
    const third = createLock(adapterA, name, { prefix });
    const held = await holder.acquire();
    const controller = new AbortController();
    const waiting = waiter.acquire({ signal: controller.signal }).catch((e: unknown) => e);
    await until(() => waiter.stats.waits === 1, 'the waiter to block');
    const next = third.acquire({ timeoutMs: 10_000 });
    await until(() => third.stats.waits === 1, 'the third to queue behind it');
    const releasing = held.release();
    controller.abort();
    expect(await releasing).toBe(true);
    expect(await waiting).toBeInstanceOf(AbortError);
    // The aborted waiter was made the owner in Redis and gave it straight on: the third gets it.
    const h = await next;
    expect(h.fencingToken).toBeGreaterThan(held.fencingToken);
    expect(waiter.stats.acquisitions).toBe(0);
    expect(await h.release()).toBe(true);
    expect(await owner(name)).toBeNull();
  });

  it('a wait cancelled while its first attempt is in flight, handed the lock meanwhile, gives it straight back', async () => {
    const name = lockName('inflight');
    // An adapter whose acquire replies can be held back: the script runs in Redis, the reply waits.
    let gate: Promise<void> | undefined;
    const gated = new Proxy(adapterB, {
      get(target, prop) {
        if (prop === 'runScript') {
          return async (...args: Parameters<RedisAdapter['runScript']>) => {
            const reply = await target.runScript(...args);
            if (args[0].name === 'lock/acquire' && gate) await gate;
            return reply;
          };
        }
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const holder = createLock(adapterA, name, { prefix });
    const waiter = createLock(gated, name, { prefix });
    const held = await holder.acquire();
    const open = deferred();
    gate = open.promise;
    const controller = new AbortController();
    const waiting = waiter.acquire({ signal: controller.signal }).catch((e: unknown) => e);
    // The waiter is queued in Redis; its reply is held back. The release hands it the lock.
    await until(async () => (await inspect.command<number>({ command: ['ZCARD', lockKeys(prefix, name).queue], keys: [lockKeys(prefix, name).queue] })) === 1, 'the waiter to queue');
    await held.release();
    await until(async () => (await owner(name)) !== null, 'the hand-off in Redis');
    controller.abort();
    gate = undefined;
    open.resolve();
    expect(await waiting).toBeInstanceOf(AbortError);
    // The lock it was handed is given back: free again.
    await until(async () => (await owner(name)) === null, 'the lock to be given back');
    const after = await holder.tryAcquire();
    expect(after).not.toBeNull();
    await after!.release();
  });

  it('a waiter whose queue entry was lost rejoins at its next refresh; a lost winning reply is retried', async () => {
    const name = lockName('lost-reply');
    let dropNext = false;
    const lossy = new Proxy(adapterB, {
      get(target, prop) {
        if (prop === 'runScript') {
          return async (...args: Parameters<RedisAdapter['runScript']>) => {
            const reply = await target.runScript(...args);
            if (args[0].name === 'lock/acquire' && dropNext) {
              dropNext = false;
              throw new ConnectionError('injected: the reply was lost');
            }
            return reply;
          };
        }
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const holder = createLock(adapterA, name, { prefix });
    const waiter = createLock(lossy, name, { prefix });
    const held = await holder.acquire();
    const waiting = waiter.acquire({ timeoutMs: 10_000 });
    await until(() => waiter.stats.waits === 1 && waiter.stats.queueRefreshes >= 1, 'the waiter to block and look once');
    // The queue is lost (FLUSHALL, eviction): the release finds nobody to hand the lock to.
    const { queue, waiters } = lockKeys(prefix, name);
    await inspect.command({ command: ['DEL', queue, waiters], keys: [queue, waiters] });
    dropNext = true;
    await held.release();
    // A queue refresh finds the waiter's entry gone (the first one may still have been in flight
    // when the queue was deleted, so which refresh it is depends on timing) and prompts one
    // attempt: fallbackRetries counts exactly those. That attempt's reply is lost; the retry
    // finds it already the owner (or takes the free lock) and gets a larger token.
    const next = await waiting;
    expect(waiter.stats.fallbackRetries).toBe(1);
    expect(dropNext).toBe(false);
    expect(next.fencingToken).toBeGreaterThan(held.fencingToken);
    expect(next.isHeld()).toBe(true);
    expect(await next.release()).toBe(true);
  });

  describe('re-entrancy by async scope', () => {
    it('re-enters in the same call chain: same token, count kept, the key released by the outermost release', async () => {
      const name = lockName('reenter');
      const lock = createLock(adapterA, name, { prefix });
      const key = lockKeys(prefix, name).lock;
      await lock.withLock(async (outer) => {
        const inner = await lock.acquire({ timeoutMs: 1000 });
        expect(inner.reentered).toBe(true);
        expect(inner.fencingToken).toBe(outer.fencingToken);
        const deeper = await lock.withLock(async (h) => {
          expect(h.reentered).toBe(true);
          const viaTry = await lock.tryAcquire();
          expect(viaTry?.reentered).toBe(true);
          await viaTry!.release();
          return h.fencingToken;
        });
        expect(deeper).toBe(outer.fencingToken);
        expect(await inner.release()).toBe(true);
        expect(await exists(key)).toBe(1);
        expect(outer.isHeld()).toBe(true);
        expect(inner.signal.aborted).toBe(true);
        expect(outer.signal.aborted).toBe(false);
      });
      expect(await exists(key)).toBe(0);
      expect(lock.stats).toMatchObject({ acquisitions: 1, reentries: 3, releases: 1 });
    });

    it('another lock object of the same name and connection re-enters in the same scope', async () => {
      const name = lockName('reenter2');
      const one = createLock(adapterA, name, { prefix });
      const two = createLock(adapterA, name, { prefix });
      await one.withLock(async () => {
        const h = await two.acquire({ timeoutMs: 1000 });
        expect(h.reentered).toBe(true);
        await h.release();
      });
    });

    it('concurrent tasks on the same lock object wait for each other', async () => {
      const name = lockName('concurrent');
      const lock = createLock(adapterA, name, { prefix });
      let inside = 0;
      let maxInside = 0;
      const tokens: number[] = [];
      await Promise.all(
        Array.from({ length: 8 }, () =>
          lock.withLock(async (h) => {
            inside++;
            maxInside = Math.max(maxInside, inside);
            tokens.push(h.fencingToken);
            await tick();
            await tick();
            inside--;
          }),
        ),
      );
      expect(maxInside).toBe(1);
      expect(new Set(tokens).size).toBe(8);
      for (let i = 1; i < tokens.length; i++) expect(tokens[i]).toBeGreaterThan(tokens[i - 1]!);
      expect(lock.stats.reentries).toBe(0);
      expect(lock.stats.waits).toBe(7);
    });

    it('a task started outside the holder scope never shares it, even while the holder runs', async () => {
      const name = lockName('sibling');
      const lock = createLock(adapterA, name, { prefix });
      const inHolder = deferred();
      const siblingDone = deferred<HeldLock | null>();
      // The sibling is created before the holder acquires, in the same outer scope.
      setImmediate(async () => {
        await inHolder.promise;
        siblingDone.resolve(await lock.tryAcquire());
      });
      await lock.withLock(async () => {
        inHolder.resolve();
        expect(await siblingDone.promise).toBeNull();
      });
    });

    it('a handle from acquire() scopes re-entry explicitly with held.run()', async () => {
      const name = lockName('run');
      const lock = createLock(adapterA, name, { prefix });
      await using held = await lock.acquire();
      // Outside held.run, a nested acquire is someone else (acquire() cannot scope its caller safely).
      expect(await lock.tryAcquire()).toBeNull();
      const nested = await held.run(() => lock.tryAcquire());
      expect(nested?.reentered).toBe(true);
      await nested!.release();
      expect(held.isHeld()).toBe(true);
    });

    it('re-entering a lock the scope has lost fails with LockLostError instead of taking it again', async () => {
      const name = lockName('lost-reenter');
      const lock = createLock(adapterA, name, { prefix });
      const key = lockKeys(prefix, name).lock;
      await lock.withLock(async (held) => {
        await inspect.command({ command: ['DEL', key], keys: [key] });
        const error = await lock.acquire().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(LockLostError);
        expect((error as LockLostError).reason).toBe('not-owner');
        expect(held.signal.aborted).toBe(true);
        expect(held.signal.reason).toBe(error);
        expect(await exists(key)).toBe(0);
      });
    });
  });

  describe('withLock', () => {
    it('returns the routine result and rethrows its error, releasing in both cases', async () => {
      const name = lockName('with');
      const lock = createLock(adapterA, name, { prefix });
      expect(await lock.withLock(({ fencingToken }) => fencingToken * 0 + 42)).toBe(42);
      const boom = new Error('boom');
      await expect(
        lock.withLock(async () => {
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(await owner(name)).toBeNull();
      expect(lock.stats.releases).toBe(2);
    });

    it('a failing final release never replaces the result or the error', async () => {
      const name = lockName('with-fail');
      const client = await connectTarget(t);
      const adapter = createRedisAdapter(client);
      const lock = createLock(adapter, name, { prefix, ttlMs: 500 });
      const failures: LockEventMap['releaseFailed'][] = [];
      lock.on('releaseFailed', (e) => failures.push(e));
      // The connection is closed inside the routine, so the release cannot be sent.
      expect(
        await lock.withLock(async () => {
          await adapter.close();
          return 'result';
        }),
      ).toBe('result');
      const lock2 = createLock(createRedisAdapter(b), name, { prefix, ttlMs: 500 });
      await until(async () => (await lock2.tryAcquire().then((h) => h?.release())) !== undefined, 'the lease to run out', 5000);
      const adapter2 = createRedisAdapter(await connectTarget(t));
      const lock3 = createLock(adapter2, name, { prefix });
      const boom = new Error('routine failed');
      await expect(
        lock3.withLock(async () => {
          await adapter2.close();
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(failures).toHaveLength(1);
      await client.close().catch(() => undefined);
    });

    it('passes the fencing token and signal to the routine, in the lock scope (guard works)', async () => {
      const lock = createLock(adapterA, lockName('guard'), { prefix });
      await expect(lock.guard(() => 1)).rejects.toBeInstanceOf(LockNotHeldError);
      const seen = await lock.withLock(async ({ signal, fencingToken }) => {
        expect(signal.aborted).toBe(false);
        expect(lock.current()?.fencingToken).toBe(fencingToken);
        return lock.guard((h) => h.fencingToken, { verify: true });
      });
      expect(seen).toBeGreaterThan(0);
      expect(lock.current()).toBeUndefined();
    });
  });

  it('keeps the lock key, counter and channel in one slot, and ids with odd characters apart', async () => {
    for (const name of ['a', 'a:b', 'a}b{', '*?[x]', 'space and ünïcödé', '%41']) {
      const keys = lockKeys(prefix, name);
      const slots = new Set([inspect.hashSlot(keys.lock), inspect.hashSlot(keys.fence), inspect.hashSlot(keys.channel)]);
      expect(slots.size).toBe(1);
    }
    const plain = createLock(adapterA, 'a', { prefix });
    const tricky = createLock(adapterA, 'a:b', { prefix });
    const other = createLock(adapterA, 'A', { prefix });
    const h1 = await plain.acquire();
    const h2 = await tricky.tryAcquire();
    const h3 = await other.tryAcquire();
    expect(h2).not.toBeNull();
    expect(h3).not.toBeNull();
    await Promise.all([h1.release(), h2!.release(), h3!.release()]);
  });

  it('emits events and keeps counters a caller can read', async () => {
    const name = lockName('events');
    const la = createLock(adapterA, name, { prefix });
    const lb = createLock(adapterB, name, { prefix });
    const events: string[] = [];
    for (const e of ['acquired', 'released', 'renewed', 'waited'] as const) lb.on(e, () => events.push(e));
    const waitedMs: number[] = [];
    lb.on('waited', (e) => waitedMs.push(e.waitedMs));
    const held = await la.acquire();
    const waiting = lb.acquire();
    await until(() => lb.stats.waits === 1, 'the wait');
    await held.release();
    const h = await waiting;
    await h.renew();
    await h.release();
    expect(events).toEqual(['waited', 'acquired', 'renewed', 'released']);
    expect(waitedMs[0]).toBeGreaterThan(0);
    expect(lb.stats).toMatchObject({ acquisitions: 1, releases: 1, renewals: 1, waits: 1, losses: 0 });
    expect(lb.stats.waitMsTotal).toBe(waitedMs[0]);
  });

  it('fencedWrite applies a write only for a token >= the highest seen', async () => {
    const name = lockName('fenced');
    const lock = createLock(adapterA, name, { prefix });
    const resource = `${prefix}:{${prefix}:resource}:${name}`;
    const first = await lock.acquire();
    await first.release();
    const second = await lock.acquire();
    expect(await fencedWrite(adapterA, resource, second.fencingToken, { state: 'new' })).toEqual({
      written: true,
      highestToken: second.fencingToken,
    });
    // The old holder comes back late: refused.
    expect(await fencedWrite(b, resource, first.fencingToken, { state: 'stale' })).toEqual({
      written: false,
      highestToken: second.fencingToken,
    });
    expect(await inspect.command({ command: ['HGET', resource, 'state'], keys: [resource] })).toBe('new');
    await second.release();
  });

  it('rejects bad input before anything is sent', async () => {
    const c = adapterA.stats.commands;
    const bad: [string, () => unknown][] = [
      ['empty name', () => createLock(adapterA, '')],
      ['lone surrogate', () => createLock(adapterA, 'a\ud800')],
      ['ttl 0', () => createLock(adapterA, 'x', { ttlMs: 0 })],
      ['ttl fraction', () => createLock(adapterA, 'x', { ttlMs: 1.5 })],
      ['ttl string', () => createLock(adapterA, 'x', { ttlMs: '100' as never })],
      ['unknown option', () => createLock(adapterA, 'x', { ttl: 5 } as never)],
      ['margin too big', () => createLock(adapterA, 'x', { ttlMs: 100, safetyMarginMs: 50 })],
      ['renew too late', () => createLock(adapterA, 'x', { ttlMs: 100, renewIntervalMs: 99 })],
      ['bad prefix', () => createLock(adapterA, 'x', { prefix: '' })],
      ['bad onLost', () => createLock(adapterA, 'x', { onLost: 1 as never })],
      ['bad redis', () => createLock(42 as never, 'x')],
      ['bad url', () => createLock('http://x', 'x')],
    ];
    for (const [what, fn] of bad) expect(fn, what).toThrow(InvalidArgumentError);
    const lock = createLock(adapterA, 'x', { prefix });
    await expect(lock.acquire({ timeoutMs: -1 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(lock.acquire({ timeoutMs: 1.5 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(lock.acquire({ signal: {} as never })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(lock.withLock(undefined as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(fencedWrite(adapterA, 'k', 1.5, {})).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(fencedWrite(adapterA, 'k', 1, { _fence: 'x' })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(fencedWrite(adapterA, '', 1, {})).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(adapterA.stats.commands).toBe(c);
  });

  it('accepts a node-redis connection directly and shares one adapter per connection', async () => {
    const name = lockName('client');
    const one = createLock(a as never, name, { prefix });
    const two = createLock(a as never, name, { prefix });
    const held = await one.acquire();
    const waiting = two.acquire();
    await until(() => two.stats.waits === 1, 'the wait');
    await held.release();
    await (await waiting).release();
  });
});
