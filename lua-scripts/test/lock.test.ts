import { randomBytes } from 'node:crypto';
import { createClient, createCluster } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTopologies } from '@x/tooling/vitest';
import { rawRedis } from './_raw-redis.js';
import { waitUntil } from '@x/tooling/redis';
import { lock, type ScriptDescriptor } from '../src/index.js';

// Every lock script run directly with EVALSHA/EVAL on a real server, without the adapter
// or the @x/lock package: the replies and effects stated in each header.
describe('lock/*.lua on a real standalone Redis', () => {
  const client = createClient({ url: getTopologies().standalone.url, RESP: 2 });
  const { run, call, hgetall, serverTimeUs: serverUs, deleteByPrefix } = rawRedis(client);
  const subscriber = client.duplicate();
  const prefix = `t:lua-lock-${randomBytes(4).toString('hex')}`;
  let n = 0;

  /** The keys of a fresh lock name, as @x/lock builds them (one hash tag). */
  const names = () => {
    const tag = `{${prefix}:n${++n}}`;
    return {
      lock: `${prefix}:${tag}:lock`,
      fence: `${prefix}:${tag}:fence`,
      queue: `${prefix}:${tag}:queue`,
      waiters: `${prefix}:${tag}:waiters`,
      channel: `${prefix}:${tag}:released`,
    };
  };
  const keysOf = (k: ReturnType<typeof names>) => [k.lock, k.fence, k.queue, k.waiters];

  /** mode: 0 try, 1 re-enter, 2 wait (join the queue when held). */
  const acquire = (
    k: ReturnType<typeof names>,
    owner: string,
    ttlMs = 10_000,
    fenceTtlMs = 60_000,
    mode = 0,
    { entryTtlMs = 5000, grantLeaseMs = 3000, inbox = 'inbox1' } = {},
  ) =>
    run(lock.acquire, keysOf(k), [owner, ttlMs, fenceTtlMs, mode, entryTtlMs, grantLeaseMs, k.channel, 'PUBLISH', inbox]) as Promise<
      [number, number]
    >;
  const release = (k: ReturnType<typeof names>, owner: string, publish = 'PUBLISH') =>
    run(lock.release, keysOf(k), [owner, 60_000, k.channel, publish]) as Promise<number>;
  const refresh = (k: ReturnType<typeof names>, owners: string[], entryTtlMs = 5000) =>
    run(lock.queueRefresh, keysOf(k), [entryTtlMs, 60_000, k.channel, 'PUBLISH', ...owners]) as Promise<number[]>;
  const queued = async (k: ReturnType<typeof names>) => (await call('ZRANGE', k.queue, 0, -1)) as string[];

  beforeAll(async () => {
    await client.connect();
    await subscriber.connect();
  });
  afterAll(async () => {
    await deleteByPrefix(prefix);
    await subscriber.close();
    await client.close();
  });

  it('declares its KEYS and ARGV in the headers the way @x/lock calls them', () => {
    expect(lock.acquire.keys).toEqual(['lockKey', 'fenceKey', 'queueKey', 'waitersKey']);
    expect(lock.acquire.args).toEqual(['owner', 'ttlMs', 'fenceTtlMs', 'mode', 'entryTtlMs', 'grantLeaseMs', 'channel', 'publishCommand', 'inbox']);
    expect(lock.release.keys).toEqual(['lockKey', 'fenceKey', 'queueKey', 'waitersKey']);
    expect(lock.release.args).toEqual(['owner', 'fenceTtlMs', 'channel', 'publishCommand']);
    expect(lock.queueRefresh.keys).toEqual(['lockKey', 'fenceKey', 'queueKey', 'waitersKey']);
    expect(lock.queueRefresh.variadicArgs).toBe(true);
    expect(lock.renew.keys).toEqual(['lockKey']);
    expect(lock.renew.args).toEqual(['owner', 'ttlMs']);
    expect(lock.fencedWrite.keys).toEqual(['resourceKey']);
    expect(lock.fencedWrite.variadicArgs).toBe(true);
    expect(lock.fencedWrite.numberOfKeys).toBe(1);
    for (const s of Object.values(lock)) expect(s.source).not.toMatch(/^--!include/m);
  });

  describe('acquire.lua', () => {
    it('takes a free lock: { 1, token }, the owner under the lock key, both keys with their TTLs', async () => {
      const k = names();
      const before = await serverUs();
      const [status, token] = await acquire(k, 'owner-a', 5000, 60_000);
      const after = await serverUs();
      expect(status).toBe(1);
      // The token is at least the server clock in microseconds at the time of the call.
      expect(token).toBeGreaterThanOrEqual(before);
      expect(token).toBeLessThanOrEqual(after);
      expect(Number.isSafeInteger(token)).toBe(true);
      expect(await call('GET', k.lock)).toBe('owner-a');
      const pttl = Number(await call('PTTL', k.lock));
      expect(pttl).toBeGreaterThan(4000);
      expect(pttl).toBeLessThanOrEqual(5000);
      expect(await call('GET', k.fence)).toBe(String(token));
      const fencePttl = Number(await call('PTTL', k.fence));
      expect(fencePttl).toBeGreaterThan(59_000);
      expect(fencePttl).toBeLessThanOrEqual(60_000);
    });

    it('refuses another owner with { 0, pttl } and changes nothing', async () => {
      const k = names();
      const [, token] = await acquire(k, 'owner-a', 5000);
      const [status, pttl] = await acquire(k, 'owner-b', 9000);
      expect(status).toBe(0);
      expect(pttl).toBeGreaterThan(4000);
      expect(pttl).toBeLessThanOrEqual(5000);
      expect(await call('GET', k.lock)).toBe('owner-a');
      expect(await call('GET', k.fence)).toBe(String(token));
    });

    it('re-enters for the same owner with mode 1: { 2, 0 }, lease reset, no token minted', async () => {
      const k = names();
      const [, token] = await acquire(k, 'owner-a', 1000);
      expect(await acquire(k, 'owner-a', 8000, 60_000, 1)).toEqual([2, 0]);
      expect(Number(await call('PTTL', k.lock))).toBeGreaterThan(7000);
      expect(await call('GET', k.fence)).toBe(String(token));
    });

    it('answers a retried acquisition (mode 0, its own owner token) as acquired, with a larger token', async () => {
      // The retry of an attempt that won in Redis but whose reply was lost on the way back.
      const k = names();
      const [, token] = await acquire(k, 'owner-a', 1000);
      const [status, again] = await acquire(k, 'owner-a', 8000);
      expect(status).toBe(1);
      expect(again).toBeGreaterThan(token);
      expect(await call('GET', k.lock)).toBe('owner-a');
      expect(Number(await call('PTTL', k.lock))).toBeGreaterThan(7000);
      expect(await call('GET', k.fence)).toBe(String(again));
    });

    it('with mode 1 never takes a free lock: { -1, 0 } and nothing written', async () => {
      const k = names();
      expect(await acquire(k, 'owner-a', 1000, 60_000, 1)).toEqual([-1, 0]);
      expect(Number(await call('EXISTS', k.lock, k.fence))).toBe(0);
      await acquire(k, 'owner-b');
      expect((await acquire(k, 'owner-a', 1000, 60_000, 1))[0]).toBe(0);
    });

    it('mints strictly increasing tokens, also after the counter key expired or was deleted', async () => {
      const k = names();
      const tokens: number[] = [];
      for (let i = 0; i < 20; i++) {
        const [status, token] = await acquire(k, `o${i}`, 10_000, 60_000);
        expect(status).toBe(1);
        tokens.push(token);
        await call('DEL', k.lock);
      }
      // The counter key expires (fenceTtlMs 30 ms here) ...
      const [, shortLived] = await acquire(k, 'short', 10_000, 30);
      tokens.push(shortLived);
      await call('DEL', k.lock);
      await waitUntil(async () => Number(await call('EXISTS', k.fence)) === 0, { timeoutMs: 5000, what: 'the fence key to expire' });
      tokens.push((await acquire(k, 'after-expiry'))[1]);
      await call('DEL', k.lock);
      // ... or is lost some other way (FLUSHDB, failover without the write): the clock floor still holds.
      await call('DEL', k.fence);
      tokens.push((await acquire(k, 'after-delete'))[1]);
      for (let i = 1; i < tokens.length; i++) expect(tokens[i]).toBeGreaterThan(tokens[i - 1]!);
    });

    it('keeps counting past a counter that runs ahead of the clock, and stretches its TTL to outlive it', async () => {
      const k = names();
      const ahead = (await serverUs()) + 5_000_000; // 5 s ahead of the server clock
      await call('SET', k.fence, ahead);
      const [, token] = await acquire(k, 'a', 1000, 1000);
      expect(token).toBe(ahead + 1);
      // fenceTtlMs (1000) plus the 5 s the counter is ahead: the key outlives the moment
      // the clock floor passes the token, so expiry cannot make tokens go back.
      const pttl = Number(await call('PTTL', k.fence));
      expect(pttl).toBeGreaterThan(5500);
      expect(pttl).toBeLessThanOrEqual(6000);
    });

    it('rejects bad arguments and foreign data under its key without writing', async () => {
      const k = names();
      await expect(acquire(k, 'a', 0)).rejects.toThrow(/ttlMs and fenceTtlMs must be positive/);
      await expect(acquire(k, 'a', 1000, -5)).rejects.toThrow(/must be positive/);
      await expect(run(lock.acquire, keysOf(k), ['a', 'soon', 1000, 0, 5000, 3000, k.channel, 'PUBLISH', 'i'])).rejects.toThrow(/positive/);
      await expect(acquire(k, 'a', 1000, 1000, 2, { grantLeaseMs: 0 })).rejects.toThrow(/grantLeaseMs must be positive/);
      await expect(acquire(k, 'a', 1000, 1000, 7)).rejects.toThrow(/mode must be/);
      await expect(acquire(k, 'a', 1000, 1000, 2, { inbox: 'a:b' })).rejects.toThrow(/inbox/);
      await expect(run(lock.acquire, keysOf(k), ['a', 1000, 1000, 0, 5000, 3000, k.channel, 'DEL', 'i'])).rejects.toThrow(/PUBLISH or SPUBLISH/);
      expect(Number(await call('EXISTS', k.lock, k.fence, k.queue, k.waiters))).toBe(0);
      // ttlMs and fenceTtlMs reach Redis as sent, so only plain integer text that PX takes passes
      // (a fence TTL Redis refused after the lock was taken would leave a lock without a token).
      for (const bad of ['1e3', '007', '1.5', '+5', ' 5', '1234567890123456', '']) {
        await expect(acquire(k, 'a', 1000, bad as unknown as number)).rejects.toThrow(/ttlMs and fenceTtlMs must be positive integers/);
        await expect(acquire(k, 'a', bad as unknown as number, 1000)).rejects.toThrow(/ttlMs and fenceTtlMs must be positive integers/);
      }
      expect(Number(await call('EXISTS', k.lock, k.fence, k.queue, k.waiters))).toBe(0);
      // Foreign data of another type under the lock key is never overwritten.
      await call('HSET', k.lock, 'something', 'else');
      await expect(acquire(k, 'a')).rejects.toThrow(/WRONGTYPE/);
      expect(await hgetall(k.lock)).toEqual({ something: 'else' });
      expect(Number(await call('EXISTS', k.fence))).toBe(0);
    });

    it('returns pttl -1 for a holder without expiry (a lock key someone persisted)', async () => {
      const k = names();
      await acquire(k, 'a');
      await call('PERSIST', k.lock);
      expect(await acquire(k, 'b')).toEqual([0, -1]);
    });
  });

  describe('release.lua', () => {
    it('releases only for the owner: 1 and the key deleted, nothing published when nobody waits', async () => {
      const k = names();
      const messages: string[] = [];
      await subscriber.pSubscribe(`${k.channel}*`, (m) => messages.push(m));
      try {
        const [, token] = await acquire(k, 'owner-a');
        expect(await release(k, 'owner-b')).toBe(0);
        expect(await call('GET', k.lock)).toBe('owner-a');
        expect(await release(k, 'owner-a')).toBe(1);
        expect(Number(await call('EXISTS', k.lock))).toBe(0);
        // The fencing counter stays: tokens keep increasing.
        expect(await call('GET', k.fence)).toBe(String(token));
        expect(await release(k, 'owner-a')).toBe(0);
        await call('PING');
        expect(messages).toEqual([]);
      } finally {
        await subscriber.pUnsubscribe(`${k.channel}*`);
      }
    });

    it('hands the lock to the first live waiter: owner set, token minted, grant lease, "<owner>:<token>" on its inbox only', async () => {
      const k = names();
      const inbox1: string[] = [];
      const inbox2: string[] = [];
      await subscriber.subscribe(`${k.channel}:in1`, (m) => inbox1.push(m));
      await subscriber.subscribe(`${k.channel}:in2`, (m) => inbox2.push(m));
      try {
        const [, first] = await acquire(k, 'holder', 10_000);
        expect(await acquire(k, 'w1', 10_000, 60_000, 2, { inbox: 'in1', grantLeaseMs: 3000 })).toEqual([0, expect.any(Number)]);
        expect(await acquire(k, 'w2', 10_000, 60_000, 2, { inbox: 'in2', grantLeaseMs: 7000 })).toEqual([0, expect.any(Number)]);
        // Joining again keeps the place.
        await acquire(k, 'w1', 10_000, 60_000, 2, { inbox: 'in1', grantLeaseMs: 3000 });
        expect(await queued(k)).toEqual(['w1', 'w2']);
        const queuePttl = Number(await call('PTTL', k.queue));
        expect(queuePttl).toBeGreaterThan(9000); // twice the entry lease
        expect(queuePttl).toBeLessThanOrEqual(10_000);

        expect(await release(k, 'holder')).toBe(2);
        expect(await call('GET', k.lock)).toBe('w1');
        const pttl = Number(await call('PTTL', k.lock));
        expect(pttl).toBeGreaterThan(2000);
        expect(pttl).toBeLessThanOrEqual(3000);
        const token = Number(await call('GET', k.fence));
        expect(token).toBeGreaterThan(first);
        expect(await queued(k)).toEqual(['w2']);
        await waitUntil(() => inbox1.length === 1, { timeoutMs: 2000, what: 'the hand-off message' });
        expect(inbox1).toEqual([`w1:${token}`]);

        // The next release goes to w2 with its own grant lease.
        expect(await release(k, 'w1')).toBe(2);
        expect(await call('GET', k.lock)).toBe('w2');
        expect(Number(await call('PTTL', k.lock))).toBeGreaterThan(6000);
        await waitUntil(() => inbox2.length === 1, { timeoutMs: 2000, what: 'the second hand-off' });
        expect(inbox1).toHaveLength(1);
        // Nobody left: the last release deletes the key.
        expect(await release(k, 'w2')).toBe(1);
        expect(Number(await call('EXISTS', k.lock, k.queue, k.waiters))).toBe(0);
      } finally {
        await subscriber.unsubscribe([`${k.channel}:in1`, `${k.channel}:in2`]);
      }
    });

    it('leaves both queue keys outliving every entry a join writes (a new queue, one that ran short, one with time to spare)', async () => {
      const k = names();
      await acquire(k, 'holder');
      const ttls = async () => [Number(await call('PTTL', k.queue)), Number(await call('PTTL', k.waiters))];
      await acquire(k, 'w1', 10_000, 60_000, 2, { entryTtlMs: 5000 });
      for (const t of await ttls()) expect(t).toBeGreaterThan(9000); // a new queue: twice the entry lease
      // Ran short of one entry lease: the next join sets both again.
      await call('PEXPIRE', k.queue, 1000);
      await call('PEXPIRE', k.waiters, 1000);
      await acquire(k, 'w2', 10_000, 60_000, 2, { entryTtlMs: 5000 });
      for (const t of await ttls()) expect(t).toBeGreaterThan(9000);
      // More than one entry lease left: a join leaves the TTLs (no PEXPIRE per join under contention).
      await call('PEXPIRE', k.queue, 60_000);
      await call('PEXPIRE', k.waiters, 60_000);
      await acquire(k, 'w3', 10_000, 60_000, 2, { entryTtlMs: 5000 });
      for (const t of await ttls()) expect(t).toBeGreaterThan(50_000);
      expect(await queued(k)).toEqual(['w1', 'w2', 'w3']);
    });

    it('skips waiters whose entry expired (a dead process) and drops them', async () => {
      const k = names();
      await acquire(k, 'holder');
      await acquire(k, 'dead', 10_000, 60_000, 2, { entryTtlMs: 20 });
      await acquire(k, 'alive', 10_000, 60_000, 2, { entryTtlMs: 60_000 });
      const deadUntil = Number(String(await call('HGET', k.waiters, 'dead')).split(':')[0]);
      await waitUntil(async () => (await serverUs()) / 1000 > deadUntil, { timeoutMs: 2000, what: "the dead entry's lease to run out" });
      expect(await release(k, 'holder')).toBe(2);
      expect(await call('GET', k.lock)).toBe('alive');
      expect(await queued(k)).toEqual([]);
      expect(await hgetall(k.waiters)).toEqual({});
    });

    it('a waiter giving up leaves the queue; if the lock was handed to it, it goes on to the next', async () => {
      const k = names();
      await acquire(k, 'holder');
      await acquire(k, 'w1', 10_000, 60_000, 2);
      await acquire(k, 'w2', 10_000, 60_000, 2);
      await acquire(k, 'w3', 10_000, 60_000, 2);
      // w2 leaves while queued: 0 (it held nothing), its entry is gone.
      expect(await release(k, 'w2')).toBe(0);
      expect(await queued(k)).toEqual(['w1', 'w3']);
      expect(await release(k, 'holder')).toBe(2);
      expect(await call('GET', k.lock)).toBe('w1');
      // w1 gave up while the hand-off was on its way: its leave passes the lock on.
      expect(await release(k, 'w1')).toBe(2);
      expect(await call('GET', k.lock)).toBe('w3');
    });

    it('refuses any publish command but PUBLISH and SPUBLISH', async () => {
      const k = names();
      await acquire(k, 'a');
      await expect(release(k, 'a', 'DEL')).rejects.toThrow(/PUBLISH or SPUBLISH/);
      expect(Number(await call('EXISTS', k.lock))).toBe(1);
    });

    it('refuses a fenceTtlMs that is not plain positive integer text, before writing (release and refresh)', async () => {
      const k = names();
      await acquire(k, 'holder');
      await acquire(k, 'w1', 10_000, 60_000, 2);
      const fence = await call('GET', k.fence);
      for (const bad of ['1e3', '007', '0', '-1', '1.5', '1234567890123456']) {
        await expect(run(lock.release, keysOf(k), ['holder', bad, k.channel, 'PUBLISH'])).rejects.toThrow(/fenceTtlMs must be a positive integer/);
        await expect(run(lock.queueRefresh, keysOf(k), [5000, bad, k.channel, 'PUBLISH', 'w1'])).rejects.toThrow(/fenceTtlMs must be positive integers/);
      }
      expect(await call('GET', k.lock)).toBe('holder');
      expect(await call('GET', k.fence)).toBe(fence);
      expect(await queued(k)).toEqual(['w1']);
    });
  });

  describe('acquire.lua with a queue', () => {
    it('a free lock with live waiters goes to the first of them, not to a newcomer (also mode 0)', async () => {
      const k = names();
      await acquire(k, 'holder', 50);
      await acquire(k, 'w1', 10_000, 60_000, 2);
      await waitUntil(async () => Number(await call('EXISTS', k.lock)) === 0, { timeoutMs: 2000, what: 'the holder lease to end' });
      // The holder died: the lock is free but w1 waits. A try by someone else hands it to w1.
      const [status, pttl] = await acquire(k, 'newcomer', 10_000, 60_000, 0);
      expect(status).toBe(0);
      expect(pttl).toBeGreaterThan(2000);
      expect(await call('GET', k.lock)).toBe('w1');
      expect(await queued(k)).toEqual([]);
      // A waiter that is itself first takes a free lock directly.
      const k2 = names();
      await acquire(k2, 'holder', 50);
      await acquire(k2, 'w1', 10_000, 60_000, 2);
      await waitUntil(async () => Number(await call('EXISTS', k2.lock)) === 0, { timeoutMs: 2000, what: 'the holder lease to end' });
      const [s2, token] = await acquire(k2, 'w1', 10_000, 60_000, 2);
      expect(s2).toBe(1);
      expect(token).toBeGreaterThan(0);
      expect(Number(await call('EXISTS', k2.queue))).toBe(0);
    });

    it('claims a hand-off whose message was lost (the owner is already the caller): a fresh, larger token', async () => {
      const k = names();
      await acquire(k, 'holder');
      await acquire(k, 'w1', 10_000, 60_000, 2);
      await release(k, 'holder');
      const handed = Number(await call('GET', k.fence));
      const [status, token] = await acquire(k, 'w1', 10_000, 60_000, 2);
      expect(status).toBe(1);
      expect(token).toBeGreaterThan(handed);
      expect(Number(await call('PTTL', k.lock))).toBeGreaterThan(9000);
    });
  });

  describe('queue-refresh.lua', () => {
    it('refreshes queued entries, reports 1 queued, 2 handed to it, 0 not queued, and hands on a lock whose lease ran out', async () => {
      const k = names();
      await acquire(k, 'holder', 100);
      await acquire(k, 'w1', 10_000, 60_000, 2, { entryTtlMs: 1000 });
      await acquire(k, 'w2', 10_000, 60_000, 2, { entryTtlMs: 1000 });
      const [pttl, s1, s2, s3] = await refresh(k, ['w1', 'w2', 'stranger'], 60_000);
      expect(pttl).toBeGreaterThan(0);
      expect([s1, s2, s3]).toEqual([1, 1, 0]);
      // The entries now live 60 s.
      const entry = String(await call('HGET', k.waiters, 'w1'));
      expect(Number(entry.split(':')[0]) - (await serverUs()) / 1000).toBeGreaterThan(50_000);
      // The holder dies (its lease runs out): the refresh hands the lock to w1.
      await waitUntil(async () => Number(await call('EXISTS', k.lock)) === 0, { timeoutMs: 2000, what: 'the holder lease to end' });
      const [after, r1, r2] = await refresh(k, ['w1', 'w2']);
      expect([r1, r2]).toEqual([2, 1]);
      expect(after).toBeGreaterThan(2000);
      expect(await call('GET', k.lock)).toBe('w1');
      await expect(refresh(k, [])).rejects.toThrow(/owners must not be empty/);
    });
  });

  describe('renew.lua', () => {
    it('extends only for the owner: 1; 0 when the lock is gone; -1 when another owner holds it', async () => {
      const k = names();
      await acquire(k, 'a', 1000);
      expect(await run(lock.renew, [k.lock], ['a', 9000])).toBe(1);
      expect(Number(await call('PTTL', k.lock))).toBeGreaterThan(8000);
      expect(await run(lock.renew, [k.lock], ['b', 20_000])).toBe(-1);
      expect(Number(await call('PTTL', k.lock))).toBeLessThanOrEqual(9000);
      await call('DEL', k.lock);
      expect(await run(lock.renew, [k.lock], ['a', 9000])).toBe(0);
      expect(Number(await call('EXISTS', k.lock))).toBe(0);
      await expect(run(lock.renew, [k.lock], ['a', 0])).rejects.toThrow(/positive/);
    });
  });

  describe('fenced-write.lua', () => {
    const res = () => `${prefix}:{${prefix}:res${++n}}:data`;

    it('writes with a token >= the highest seen and records it; refuses an older token', async () => {
      const key = res();
      expect(await run(lock.fencedWrite, [key], ['_fence', 5, 0, 'v', 'five', 'w', 'x'])).toEqual([1, 5]);
      expect(await hgetall(key)).toEqual({ _fence: '5', v: 'five', w: 'x' });
      expect(await run(lock.fencedWrite, [key], ['_fence', 4, 0, 'v', 'four'])).toEqual([0, 5]);
      expect(await hgetall(key)).toEqual({ _fence: '5', v: 'five', w: 'x' });
      // The same holder may write again with its token.
      expect(await run(lock.fencedWrite, [key], ['_fence', 5, 0, 'v', 'five again'])).toEqual([1, 5]);
      expect(await run(lock.fencedWrite, [key], ['_fence', 1795296702314723, 0, 'v', 'big'])).toEqual([1, 1795296702314723]);
      expect(await hgetall(key)).toEqual({ _fence: '1795296702314723', v: 'big', w: 'x' });
      expect(await run(lock.fencedWrite, [key], ['_fence', 1795296702314722, 0, 'v', 'stale'])).toEqual([0, 1795296702314723]);
    });

    it('sets a TTL when asked, and can record a token without fields', async () => {
      const key = res();
      expect(await run(lock.fencedWrite, [key], ['_fence', 7, 5000])).toEqual([1, 7]);
      expect(await hgetall(key)).toEqual({ _fence: '7' });
      const pttl = Number(await call('PTTL', key));
      expect(pttl).toBeGreaterThan(4000);
      expect(pttl).toBeLessThanOrEqual(5000);
      await run(lock.fencedWrite, [key], ['_fence', 8, 0, 'a', '1']);
      expect(Number(await call('PTTL', key))).toBeGreaterThan(0);
    });

    it('rejects bad input without writing', async () => {
      const key = res();
      await expect(run(lock.fencedWrite, [key], ['_fence', 1.5, 0, 'a', '1'])).rejects.toThrow(/non-negative integer/);
      await expect(run(lock.fencedWrite, [key], ['_fence', 'x', 0, 'a', '1'])).rejects.toThrow(/non-negative integer/);
      await expect(run(lock.fencedWrite, [key], ['_fence', -1, 0, 'a', '1'])).rejects.toThrow(/non-negative integer/);
      await expect(run(lock.fencedWrite, [key], ['_fence', 1, -1, 'a', '1'])).rejects.toThrow(/ttlMs/);
      await expect(run(lock.fencedWrite, [key], ['_fence', 1, 0, 'a'])).rejects.toThrow(/pairs/);
      await expect(run(lock.fencedWrite, [key], ['_fence', 1, 0, 'a', '1', '_fence', '9'])).rejects.toThrow(/tokenField/);
      expect(Number(await call('EXISTS', key))).toBe(0);
    });
  });
});

describe('lock/release.lua on a real Redis Cluster (sharded pub/sub from a script)', () => {
  const cluster = createCluster({ rootNodes: getTopologies().cluster.rootNodes });
  const prefix = `t:lua-lock-c-${randomBytes(4).toString('hex')}`;

  const run = async (script: ScriptDescriptor, keys: string[], args: (string | number)[]): Promise<unknown> => {
    const tail = [String(keys.length), ...keys, ...args.map(String)];
    try {
      return await cluster.sendCommand(keys[0], false, ['EVALSHA', script.sha1, ...tail]);
    } catch (err) {
      if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
      return cluster.sendCommand(keys[0], false, ['EVAL', script.source, ...tail]);
    }
  };

  beforeAll(async () => {
    cluster.on('error', () => undefined);
    await cluster.connect();
  });
  afterAll(async () => {
    await cluster.close();
  });

  it('acquires, queues, hands off and releases on the slot of the hash tag, announcing with SPUBLISH', async () => {
    for (let i = 0; i < 6; i++) {
      const tag = `{${prefix}:n${i}}`;
      const k = {
        lock: `${prefix}:${tag}:lock`,
        fence: `${prefix}:${tag}:fence`,
        queue: `${prefix}:${tag}:queue`,
        waiters: `${prefix}:${tag}:waiters`,
        channel: `${prefix}:${tag}:released`,
      };
      const keys = [k.lock, k.fence, k.queue, k.waiters];
      const messages: string[] = [];
      await cluster.sSubscribe(`${k.channel}:in`, (m) => messages.push(m));
      const args = (owner: string, mode: number) => [owner, 5000, 60_000, mode, 5000, 3000, k.channel, 'SPUBLISH', 'in'];
      const [status, token] = (await run(lock.acquire, keys, args('a', 0))) as [number, number];
      expect(status).toBe(1);
      expect(await run(lock.renew, [k.lock], ['a', 5000])).toBe(1);
      expect(Number.isSafeInteger(token)).toBe(true);
      expect(((await run(lock.acquire, keys, args('b', 2))) as number[])[0]).toBe(0);
      expect(await run(lock.release, keys, ['a', 60_000, k.channel, 'SPUBLISH'])).toBe(2);
      await waitUntil(() => messages.length === 1, { timeoutMs: 3000, what: 'the sharded hand-off message' });
      const handed = Number(await cluster.sendCommand(k.fence, false, ['GET', k.fence]));
      expect(messages).toEqual([`b:${handed}`]);
      expect(handed).toBeGreaterThan(token);
      expect(((await run(lock.queueRefresh, keys, [5000, 60_000, k.channel, 'SPUBLISH', 'b'])) as number[])[1]).toBe(2);
      expect(await run(lock.release, keys, ['b', 60_000, k.channel, 'SPUBLISH'])).toBe(1);
      await cluster.sUnsubscribe(`${k.channel}:in`);
      await cluster.sendCommand(k.fence, false, ['DEL', k.fence]);
    }
  });
});
