import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTopology, forEachTopology, type Topology } from '@x/tooling/vitest';
import { ConnectionError, createRedisAdapter, type RedisAdapter } from '@x/redis-adapter';
import { LockLostError, createLock, fencedWrite, lockKeys, type LockEventMap } from '../src/index.js';
import { blockEventLoop, deferred, lockName, testPrefix, trackUnhandledRejections, until } from './helpers.js';

trackUnhandledRejections();

/** An adapter whose script calls fail (as a dropped connection would) while `fail(name)` says so. */
function flaky(real: RedisAdapter, fail: (script: string) => boolean): RedisAdapter {
  return new Proxy(real, {
    get(target, prop) {
      if (prop === 'runScript') {
        return async (...args: Parameters<RedisAdapter['runScript']>) => {
          if (fail(args[0].name)) throw new ConnectionError('injected: connection reset');
          return target.runScript(...args);
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

forEachTopology(['standalone', 'cluster'], (t: Topology) => {
  const prefix = testPrefix('watchdog');
  let adapterA: RedisAdapter;
  let adapterB: RedisAdapter;
  let inspect: RedisAdapter;
  const clients: { close(): Promise<unknown> }[] = [];

  beforeAll(async () => {
    const [a, b, c] = await Promise.all([connectTopology(t), connectTopology(t), connectTopology(t)]);
    clients.push(a, b, c);
    adapterA = createRedisAdapter(a);
    adapterB = createRedisAdapter(b);
    inspect = createRedisAdapter(c);
  });
  afterAll(async () => {
    for await (const keys of inspect.scan({ match: `${prefix}:*` })) {
      for (const key of keys) await inspect.command({ command: ['DEL', key], keys: [key] });
    }
    for (const adapter of [adapterA, adapterB, inspect]) await adapter.close();
    for (const client of clients) await client.close();
  });

  const lockState = async (name: string) => {
    const key = lockKeys(prefix, name).lock;
    const [owner, pttl] = await inspect.pipeline([
      { command: ['GET', key], keys: [key] },
      { command: ['PTTL', key], keys: [key] },
    ]);
    return { owner: owner as string | null, pttl: Number(pttl) };
  };

  it('renews at about a third of the TTL and keeps the lock well past it', async () => {
    const name = lockName('renew');
    const lock = createLock(adapterA, name, { prefix, ttlMs: 300 });
    const held = await lock.acquire();
    const owner = (await lockState(name)).owner;
    await until(() => lock.stats.renewals >= 4, 'four renewals (> 1 TTL)');
    expect(held.signal.aborted).toBe(false);
    const state = await lockState(name);
    expect(state.owner).toBe(owner);
    expect(state.pttl).toBeGreaterThan(0);
    expect(await held.release()).toBe(true);
    expect(lock.stats.losses).toBe(0);
  });

  // When renewals stop (maxRenewals, autoRenew off), the signal must abort while the key
  // is still ours in Redis: checked by reading the key from inside the abort listener.
  for (const [label, options] of [
    // A margin of 100 ms leaves room for a late timer on a busy test machine.
    ['maxRenewals reached', { ttlMs: 500, maxRenewals: 2, safetyMarginMs: 100 }],
    ['autoRenew off', { ttlMs: 400, autoRenew: false, safetyMarginMs: 100 }],
  ] as const) {
    it(`aborts the signal before the lease can end: ${label}`, async () => {
      const name = lockName('deadline');
      const lost: LockLostError[] = [];
      const lock = createLock(adapterA, name, { prefix, ...options, onLost: (e) => lost.push(e) });
      const events: LockEventMap['lost'][] = [];
      lock.on('lost', (e) => events.push(e));
      const held = await lock.acquire();
      const owner = (await lockState(name)).owner;
      const atAbort = deferred<{ owner: string | null; pttl: number }>();
      held.signal.addEventListener('abort', () => atAbort.resolve(lockState(name) as never));
      const state = await atAbort.promise;
      expect(state.owner).toBe(owner);
      expect(state.pttl).toBeGreaterThan(0);
      const reason = held.signal.reason as LockLostError;
      expect(reason).toBeInstanceOf(LockLostError);
      expect(reason.reason).toBe('expiring');
      expect(reason.fencingToken).toBe(held.fencingToken);
      expect(lost).toEqual([reason]);
      expect(events.map((e) => e.error)).toEqual([reason]);
      expect(lock.stats.renewals).toBe('maxRenewals' in options ? 2 : 0);
      expect(held.isHeld()).toBe(false);
      // Releasing after the loss still frees the key (token-checked) and says it was not held to the end.
      expect(await held.release()).toBe(false);
      expect((await lockState(name)).owner).toBeNull();
    });
  }

  it('a renewal that finds another owner aborts the signal with not-owner and calls onLost once', async () => {
    const name = lockName('stolen');
    const lost: LockLostError[] = [];
    const lock = createLock(adapterA, name, { prefix, ttlMs: 300, onLost: (e) => lost.push(e) });
    const held = await lock.acquire();
    const key = lockKeys(prefix, name).lock;
    await inspect.command({ command: ['SET', key, 'someone-else', 'PX', 10_000], keys: [key] });
    await until(() => held.signal.aborted, 'the loss');
    expect((held.signal.reason as LockLostError).reason).toBe('not-owner');
    expect(lost).toHaveLength(1);
    await expect(held.renew()).rejects.toBeInstanceOf(LockLostError);
    // Token-checked release: somebody else's lock is never released.
    expect(await held.release()).toBe(false);
    expect((await lockState(name)).owner).toBe('someone-else');
    expect(lock.stats).toMatchObject({ losses: 1, releases: 0 });
    await inspect.command({ command: ['DEL', key], keys: [key] });
  });

  it('a holder whose event loop was blocked past its TTL reads an aborted signal at once; the next holder fences it out', async () => {
    const name = lockName('paused');
    const lock = createLock(adapterA, name, { prefix, ttlMs: 300 });
    const other = createLock(adapterB, name, { prefix, ttlMs: 5000 });
    const resource = `${prefix}:{${prefix}:res}:${name}`;
    const held = await lock.acquire();
    expect(await fencedWrite(adapterA, resource, held.fencingToken, { v: 'first' })).toMatchObject({ written: true });

    blockEventLoop(700); // no timer, no renewal could run: the lease ran out in Redis meanwhile
    // Before any timer had a chance to fire, the signal already tells the truth.
    expect(held.signal.aborted).toBe(true);
    expect((held.signal.reason as LockLostError).reason).toBe('expiring');
    expect(held.isHeld()).toBe(false);
    await expect(held.guard(() => 'write')).rejects.toBeInstanceOf(LockLostError);

    const next = await other.acquire({ timeoutMs: 2000 });
    expect(next.fencingToken).toBeGreaterThan(held.fencingToken);
    expect(await fencedWrite(adapterB, resource, next.fencingToken, { v: 'next' })).toMatchObject({ written: true });
    // The stale holder's write is refused.
    expect(await fencedWrite(adapterA, resource, held.fencingToken, { v: 'stale' })).toEqual({
      written: false,
      highestToken: next.fencingToken,
    });
    expect(await inspect.command({ command: ['HGET', resource, 'v'], keys: [resource] })).toBe('next');
    await next.release();
    expect(await held.release()).toBe(false);
  });

  it('retries transient renew errors within the lease and keeps the lock when one gets through', async () => {
    const name = lockName('retry');
    let failures = 2;
    const adapter = flaky(adapterA, (script) => script === 'lock/renew' && failures-- > 0);
    const lock = createLock(adapter, name, { prefix, ttlMs: 600 });
    const failed: LockEventMap['renewFailed'][] = [];
    lock.on('renewFailed', (e) => failed.push(e));
    const held = await lock.acquire();
    await until(() => lock.stats.renewals >= 2, 'renewals after the failures');
    expect(failed).toHaveLength(2);
    expect(failed.every((e) => e.willRetry && e.error instanceof ConnectionError)).toBe(true);
    expect(held.signal.aborted).toBe(false);
    expect(lock.stats.losses).toBe(0);
    await held.release();
  });

  it('when every renewal fails, the signal aborts before the lease ends and nothing is unhandled', async () => {
    const name = lockName('down');
    const adapter = flaky(adapterA, (script) => script === 'lock/renew');
    const lost = deferred<LockLostError>();
    const lock = createLock(adapter, name, { prefix, ttlMs: 500, safetyMarginMs: 100, onLost: (e) => lost.resolve(e) });
    const held = await lock.acquire();
    const owner = (await lockState(name)).owner;
    const atAbort = deferred<{ owner: string | null; pttl: number }>();
    held.signal.addEventListener('abort', () => atAbort.resolve(lockState(name) as never));
    const error = await lost.promise;
    expect(error.reason).toBe('expiring');
    const state = await atAbort.promise;
    expect(state.owner).toBe(owner);
    expect(state.pttl).toBeGreaterThan(0);
    expect(lock.stats.renewFailures).toBeGreaterThan(1);
    await held.release();
  });

  it('an onLost or event listener that throws changes nothing', async () => {
    const name = lockName('throwing');
    const lock = createLock(adapterA, name, {
      prefix,
      ttlMs: 200,
      autoRenew: false,
      onLost: async () => {
        throw new Error('async onLost bug');
      },
    });
    lock.on('lost', () => {
      throw new Error('listener bug');
    });
    lock.on('lost', () => {
      throw new Error('listener bug');
    });
    lock.on('acquired', async () => {
      throw new Error('async listener bug');
    });
    const held = await lock.acquire();
    await until(() => held.signal.aborted, 'the deadline');
    expect(lock.stats.losses).toBe(1);
    await held.release();
  });

  it('held.renew() extends the lease on demand', async () => {
    const name = lockName('manual');
    const lock = createLock(adapterA, name, { prefix, ttlMs: 2000, autoRenew: false });
    const held = await lock.acquire();
    const key = lockKeys(prefix, name).lock;
    await inspect.command({ command: ['PEXPIRE', key, 100], keys: [key] });
    await held.renew();
    expect((await lockState(name)).pttl).toBeGreaterThan(1000);
    expect(lock.stats.renewals).toBe(1);
    await held.release();
    await expect(held.renew()).rejects.toThrow(/released/);
  });
});

describe('watchdog timing options', () => {
  it('validates the relation of ttl, renew interval and safety margin', () => {
    expect(() => createLock(null, 'x', { ttlMs: 1000, safetyMarginMs: 499 })).not.toThrow();
    expect(() => createLock(null, 'x', { ttlMs: 1000, safetyMarginMs: 500 })).toThrow(/safetyMarginMs/);
    expect(() => createLock(null, 'x', { ttlMs: 1000, safetyMarginMs: 100, renewIntervalMs: 900 })).toThrow(/renewIntervalMs/);
    expect(createLock(null, 'x', { ttlMs: 30_000 }).options).toMatchObject({
      renewIntervalMs: 10_000,
      safetyMarginMs: 1500,
      maxRenewals: 0,
      autoRenew: true,
    });
    expect(createLock(null, 'x', { maxRenewals: -3 }).options.maxRenewals).toBe(0);
  });
});
