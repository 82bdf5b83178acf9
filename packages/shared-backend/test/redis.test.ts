import { describe, expect, it, afterAll, beforeAll, vi } from 'vitest';
import { RoundTripProxy } from '@x/tooling/proxy';
import { adminCommand, connectClient, type RedisClient } from '@x/tooling/redis';
import { clientKind, connectTarget, forEachTopology, randomPrefix, useStandalone, connectTopology } from '@x/tooling/vitest';
import { createRedisAdapter, hashSlot, type RedisAdapter } from '@x/redis-adapter';
import { describeSharedBackendConformance } from '../src/testing.js';
import {
  BackendClosedError,
  ConfigMismatchError,
  CrossSlotError,
  InvalidArgumentError,
  RedisBackend,
  type RedisBackendOptions,
  SharedBackendKeys,
} from '../src/index.js';
import { backendTarget, closeIoClients, connectOptions, flushScripts, nodesOf, slotOwners, type RedisTopology } from './helpers.js';

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

// The backends run on node-redis, or on ioredis clients of the test's own with X_REDIS_CLIENT=ioredis (`pnpm test:ioredis`).
afterAll(closeIoClients);

forEachTopology(['standalone', 'cluster'], (t) => {
  describeSharedBackendConformance(
    { describe, it, expect },
    {
      name: `RedisBackend (${t.kind}, ${clientKind()})`,
      create: ({ prefix, ttlMs }) => new RedisBackend(backendTarget(t), { prefix, ttlMs }),
      flushScripts: () => flushScripts(t),
      realTimeTtlMs: 1000,
    },
  );

  describe(`RedisBackend on ${t.kind} (${clientKind()}): Redis specifics`, () => {
    const closers: { close(): Promise<unknown> }[] = [];
    let adapter: RedisAdapter;
    beforeAll(async () => {
      adapter = createRedisAdapter(backendTarget(t));
      closers.push(adapter);
    });
    afterAll(async () => {
      for (const c of closers.reverse()) await c.close().catch(() => undefined);
    });
    const open = (options: RedisBackendOptions = {}) => {
      const backend = new RedisBackend(adapter, { prefix: randomPrefix('sb'), ...options });
      closers.push(backend);
      return backend;
    };
    const keysUnder = async (backend: RedisBackend) => {
      const keys: string[] = [];
      for await (const batch of adapter.scan({ match: backend.keys.keyspace.scanPattern() })) keys.push(...batch);
      return keys.sort();
    };
    const pttl = (key: string) => adapter.command<number>({ command: ['PTTL', key], keys: [key] });

    it('lays keys out as documented: thread lists and their index share a bucket tag, the registry the tenant tag', async () => {
      const backend = open({ prefix: 'tenant:{x}*', indexBuckets: 8 });
      await backend.bufferClear();
      await backend.bufferAppend('th:1*', 'x');
      await backend.registrySet('chain', 'uuid');
      const k = backend.keys;
      const b = k.bucketOf('th:1*');
      const p = 'tenant:%7Bx%7D%2A';
      expect(k.keyspace.prefix).toBe(p);
      expect(k.threadKey('th:1*')).toBe(`${p}:{${p}:bucket-${b}}:thread:th%3A1%2A`);
      expect(k.indexKey(b)).toBe(`${p}:{${p}:bucket-${b}}:threads`);
      expect(await keysUnder(backend)).toEqual(
        [
          k.threadKey('th:1*'),
          k.indexKey(b),
          `${p}:{${p}}:registry:by-chain`,
          `${p}:{${p}}:registry:by-uuid`,
          `${p}:{${p}}:registry:expiry`,
          `${p}:{${p}}:meta`,
        ].sort(),
      );
      expect(hashSlot(k.threadKey('th:1*'))).toBe(hashSlot(k.indexKey(b)));
      expect(new Set([k.registryByChain, k.registryByUuid, k.registryExpiry, k.meta].map((key) => hashSlot(key))).size).toBe(1);
      expect(await adapter.command({ command: ['GET', k.meta], keys: [k.meta] })).toBe('shared-backend/v1 buckets=8');
    });

    it('spreads threads over the buckets by a stable hash', () => {
      const k = new SharedBackendKeys('p', 64);
      const counts = new Array(64).fill(0);
      for (let i = 0; i < 6400; i++) counts[k.bucketOf(`thread-${i}`)]++;
      expect(Math.min(...counts)).toBeGreaterThan(50);
      expect(Math.max(...counts)).toBeLessThan(150);
      expect(k.bucketOf('thread-1')).toBe(new SharedBackendKeys('other', 64).bucketOf('thread-1'));
    });

    it('sets the TTL inside the write: thread, index and registry keys expire with the last entry', async () => {
      const backend = open({ ttlMs: 60_000 });
      await backend.bufferAppend('t', 'x');
      await backend.registrySet('c', 'u');
      const k = backend.keys;
      for (const key of [k.threadKey('t'), k.indexKey(k.bucketOf('t')), k.registryByChain, k.registryByUuid, k.registryExpiry]) {
        const ms = await pttl(key);
        expect(ms, key).toBeGreaterThan(50_000);
        expect(ms, key).toBeLessThanOrEqual(60_000);
      }
      const forever = open({ prefix: backend.keys.keyspace.prefix, ttlMs: 0 });
      await forever.bufferAppend('t', 'y'); // a never-expiring write persists the thread and its index
      await forever.registrySet('c2', 'u2');
      expect(await pttl(k.threadKey('t'))).toBe(-1);
      expect(await pttl(k.indexKey(k.bucketOf('t')))).toBe(-1);
      expect(await pttl(k.registryByUuid)).toBe(-1);
    });

    it('garbage-collects expired index entries, and idle indexes expire on their own', async () => {
      const backend = open({ ttlMs: 150, indexBuckets: 2 });
      const k = backend.keys;
      const ids = Array.from({ length: 10 }, (_, i) => `gc-${i}`);
      for (const id of ids) await backend.bufferAppend(id, 'x');
      await backend.registrySet('c', 'u');
      const zcard = async () => {
        let n = 0;
        for (const key of k.allIndexKeys()) n += await adapter.command<number>({ command: ['ZCARD', key], keys: [key] });
        return n;
      };
      expect(await zcard()).toBe(10);
      await expect.poll(() => keysUnder(backend), { timeout: 5000, interval: 20 }).toEqual([k.meta]);

      // Entries whose index key outlives them (a longer-lived neighbour) are collected by gc().
      const mixed = open({ ttlMs: 150, indexBuckets: 1 });
      const longLived = open({ prefix: mixed.keys.keyspace.prefix, ttlMs: 60_000, indexBuckets: 1 });
      for (const id of ids) await mixed.bufferAppend(id, 'x');
      await longLived.bufferAppend('stays', 'x');
      const index = mixed.keys.indexKey(0);
      await expect.poll(() => mixed.bufferThreadExists('gc-9'), { timeout: 5000, interval: 20 }).toBe(false);
      expect(await adapter.command({ command: ['ZCARD', index], keys: [index] })).toBe(11);
      expect(await mixed.gc()).toEqual({ threadIndexEntries: 10, registryEntries: 0 });
      expect(await adapter.command({ command: ['ZCARD', index], keys: [index] })).toBe(1);
      expect(await collect(mixed.bufferListThreads())).toEqual(['stays']);

      // Listing collects too (its first page per bucket drops expired entries).
      for (const id of ids) await mixed.bufferAppend(id, 'x');
      await expect.poll(() => mixed.bufferThreadExists('gc-9'), { timeout: 5000, interval: 20 }).toBe(false);
      expect(await adapter.command({ command: ['ZCARD', index], keys: [index] })).toBe(11);
      expect(await collect(mixed.bufferListThreads())).toEqual(['stays']);
      expect(await adapter.command({ command: ['ZCARD', index], keys: [index] })).toBe(1);
    });

    it('sends one command per operation', async () => {
      const backend = open();
      await backend.ping();
      await backend.bufferAppend('warm', 'x'); // the layout check
      const ops: [string, () => Promise<unknown>][] = [
        ['bufferAppend', () => backend.bufferAppend('t', 'x')],
        ['bufferGetThread', () => backend.bufferGetThread('t')],
        ['bufferGetSlot', () => backend.bufferGetSlot('t', -1)],
        ['bufferThreadLength', () => backend.bufferThreadLength('t')],
        ['bufferThreadExists', () => backend.bufferThreadExists('t')],
        ['bufferDeleteThread', () => backend.bufferDeleteThread('t')],
        ['registrySet', () => backend.registrySet('c', 'u')],
        ['registryGetUuid', () => backend.registryGetUuid('c')],
        ['registryGetChain', () => backend.registryGetChain('u')],
        ['registryDelete', () => backend.registryDelete('u')],
        ['registryClear', () => backend.registryClear()],
      ];
      for (const [, op] of ops) await op(); // loads every script once (EVALSHA -> NOSCRIPT -> EVAL)
      for (const [name, op] of ops) {
        const before = adapter.stats.commands;
        await op();
        expect({ name, commands: adapter.stats.commands - before }).toEqual({ name, commands: 1 });
      }
      const before = adapter.stats.commands;
      await collect(backend.bufferListThreads());
      expect(adapter.stats.commands - before).toBe(backend.keys.indexBuckets); // one ZSCAN page per bucket, pipelined
    });

    it('clears large buckets in batches, expired entries included', async () => {
      const backend = open({ indexBuckets: 1, scanCount: 50 });
      const ids = Array.from({ length: 1200 }, (_, i) => `many-${i}`);
      for (let i = 0; i < ids.length; i += 200) await Promise.all(ids.slice(i, i + 200).map((id) => backend.bufferAppend(id, 'x')));
      const listed = await collect(backend.bufferListThreads());
      expect(listed).toHaveLength(1200);
      expect(new Set(listed).size).toBe(1200);
      await backend.bufferClear();
      expect(await keysUnder(backend)).toEqual([backend.keys.meta]);
    });

    it('refuses a second layout for one prefix', async () => {
      const first = open({ indexBuckets: 64 });
      await first.bufferAppend('t', 'x');
      const second = open({ prefix: first.keys.keyspace.prefix, indexBuckets: 16 });
      const err = await second.bufferAppend('t2', 'x').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigMismatchError);
      expect((err as ConfigMismatchError).code).toBe('ERR_CONFIG_MISMATCH');
      expect(await collect(first.bufferListThreads())).toEqual(['t']);
      await expect(second.registrySet('c', 'u')).rejects.toBeInstanceOf(ConfigMismatchError);
    });

    it('never closes a client it was given; closes what it created', async () => {
      const client = (await connectTarget(t)) as unknown as { ping(): Promise<string>; close(): Promise<unknown> }; // the run's client library
      const given = new RedisBackend(client as never, { prefix: randomPrefix('sb') });
      await given.bufferAppend('t', 'x');
      await given.close();
      expect(await client.ping()).toBe('PONG');
      await client.close();
      const owned = new RedisBackend(connectOptions(t), { prefix: randomPrefix('sb') });
      await owned.bufferAppend('t', 'x');
      await owned.close();
      expect(owned.redis.ownsConnection).toBe(true);
      await expect(owned.redis.command({ command: ['PING'] })).rejects.toThrow();
    });

    it('validates its options', () => {
      expect(() => new RedisBackend({} as never)).toThrow(InvalidArgumentError);
      expect(() => new RedisBackend(adapter, { url: 'redis://x' } as never)).toThrow(InvalidArgumentError);
      expect(() => new RedisBackend('http://x')).toThrow(InvalidArgumentError);
      expect(() => new RedisBackend(adapter, { prefix: '' })).toThrow(InvalidArgumentError);
      expect(() => new RedisBackend(adapter, { ttlMs: -5 })).toThrow(InvalidArgumentError);
      expect(() => new RedisBackend(adapter, { indexBuckets: 0 })).toThrow(InvalidArgumentError);
      expect(() => new RedisBackend(adapter, { indexBuckets: 1.5 })).toThrow(InvalidArgumentError);
    });

    it('answers registry lookups with one HGET once it has read the server clock, and asks the server first', async () => {
      const backend = open({ ttlMs: 60_000 });
      await backend.registrySet('c', 'u');
      await open({ prefix: backend.keys.keyspace.prefix }).registrySet('forever-c', 'forever-u');
      await flushScripts(t); // the first lookup's script also recovers from NOSCRIPT
      const scripts = vi.spyOn(backend.redis, 'runScript');
      const commands = vi.spyOn(backend.redis, 'command');
      try {
        const fallbacks = backend.redis.stats.noscriptFallbacks;
        expect(await backend.registryGetUuid('c')).toBe('u'); // no clock reading yet: the script judges
        expect(scripts).toHaveBeenCalledTimes(1);
        expect(backend.redis.stats.noscriptFallbacks).toBe(fallbacks + 1);
        expect(commands).not.toHaveBeenCalled();
        expect(await backend.registryGetChain('u')).toBe('c');
        expect(await backend.registryGetUuid('forever-c')).toBe('forever-u');
        expect(await backend.registryGetChain('nope')).toBeNull();
        expect(scripts).toHaveBeenCalledTimes(1);
        expect(commands.mock.calls.map(([call]) => [call.command[0], call.command[2]])).toEqual([
          ['HGET', 'u'],
          ['HGET', 'forever-c'],
          ['HGET', 'nope'],
        ]);
      } finally {
        scripts.mockRestore();
        commands.mockRestore();
      }
    });

    it('registry lookups agree with the server clock right through an entry\'s expiry', async () => {
      const backend = open({ ttlMs: 400 });
      const k = backend.keys;
      const serverMs = async () => {
        const [sec, usec] = await adapter.command<[string, string]>({ command: ['TIME'], keys: [k.registryByChain] });
        return Number(sec) * 1000 + Number(usec) / 1000;
      };
      // A longer-lived neighbour keeps the registry keys alive past the entry: only the lookups can hide it.
      await open({ prefix: k.keyspace.prefix, ttlMs: 60_000 }).registrySet('neighbour-c', 'neighbour-u');
      await backend.registrySet('c', 'u');
      const stored = await adapter.command<string>({ command: ['HGET', k.registryByChain, 'c'], keys: [k.registryByChain] });
      const expiry = Number(stored.slice(0, stored.indexOf('|')));
      const scripts = vi.spyOn(backend.redis, 'runScript');
      const seen = { alive: 0, gone: 0 };
      try {
        // Each lookup runs on the server between two TIME readings on the same connection: an
        // answer must be right for some moment between them (alive while the clock is below expiry + 1).
        // Runs until it has seen both answers and the clock is past the expiry (or 10 s, on a very slow machine).
        const giveUpAt = performance.now() + 10_000;
        let before = await serverMs();
        while ((seen.gone === 0 || before < expiry + 20) && performance.now() < giveUpAt) {
          const answer = seen.alive % 2 === 0 ? await backend.registryGetUuid('c') : await backend.registryGetChain('u');
          const after = await serverMs();
          if (answer === null) {
            expect(after).toBeGreaterThanOrEqual(expiry + 1);
            seen.gone++;
          } else {
            expect(answer === 'u' || answer === 'c').toBe(true);
            expect(before).toBeLessThan(expiry + 1);
            seen.alive++;
          }
          before = after;
        }
        expect(seen.alive).toBeGreaterThan(0);
        expect(seen.gone).toBeGreaterThan(0);
        // Most lookups were answered by the HGET alone (the script runs when the reading is old, or near the expiry).
        expect(scripts.mock.calls.length).toBeLessThan((seen.alive + seen.gone) / 2);
      } finally {
        scripts.mockRestore();
      }
    });

    it('leaves a value it cannot read to the script, which rejects it; after close() that is BackendClosedError', async () => {
      const backend = new RedisBackend(adapter, { prefix: randomPrefix('sb-odd') });
      const byChain = backend.keys.registryByChain;
      await backend.registrySet('c', 'u');
      expect(await backend.registryGetUuid('c')).toBe('u'); // the clock is read: later lookups start with an HGET
      for (const odd of ['0b1|u', ' |u', 'x|u']) {
        await adapter.command({ command: ['HSET', byChain, 'odd', odd], keys: [byChain] });
        await expect(backend.registryGetUuid('odd'), odd).rejects.toThrow(/registry-get-uuid/);
      }
      const pending = backend.registryGetUuid('odd'); // its HGET is on the way when the backend closes
      await backend.close();
      await expect(pending).rejects.toBeInstanceOf(BackendClosedError);
      await expect(backend.registryGetUuid('c')).rejects.toBeInstanceOf(BackendClosedError);
    });

    it('cannot send a cross-slot script call (the adapter checks before sending)', async () => {
      const backend = open();
      const k = backend.keys;
      const a = k.threadKey('x', 0);
      const b = k.indexKey(1);
      const { sharedBackend } = await import('@x/lua-scripts');
      await expect(
        adapter.runScript(sharedBackend.bufferDelete, { keys: [a, b, k.threadOpsKey('x', 0), k.threadOpsLogKey('x', 0)], args: ['x'] }),
      ).rejects.toBeInstanceOf(CrossSlotError);
    });

    if (t.kind === 'cluster') {
      it('spreads buckets over every master and still lists every thread', async () => {
        const backend = open();
        const owner = await slotOwners(t);
        const ids = Array.from({ length: 400 }, (_, i) => `spread-${i}`);
        await Promise.all(ids.map((id) => backend.bufferAppend(id, 'x')));
        const nodesUsed = new Set(ids.map((id) => owner(hashSlot(backend.keys.threadKey(id)))));
        expect(nodesUsed.size).toBe(nodesOf(t as RedisTopology).length);
        const listed = await collect(backend.bufferListThreads());
        expect(listed.sort()).toEqual([...ids].sort());
        const perNode = new Map<string, number>();
        for (const id of listed) {
          const node = owner(hashSlot(backend.keys.threadKey(id)));
          perNode.set(node, (perNode.get(node) ?? 0) + 1);
        }
        for (const n of perNode.values()) expect(n).toBeGreaterThan(50);
      });
    }
  });
});

describe('RedisBackend on a private server', () => {
  const server = useStandalone();
  let admin: RedisClient;
  beforeAll(async () => {
    admin = await connectClient(server().url);
  });
  afterAll(async () => {
    await admin?.close().catch(() => undefined);
  });

  it('survives a server restart (data and script cache gone)', async () => {
    const backend = new RedisBackend(server().url, { prefix: randomPrefix('sb-restart'), ttlMs: 60_000 });
    try {
      await backend.bufferAppend('t', 'x');
      await backend.registrySet('c', 'u');
      await server().restart();
      await expect.poll(() => backend.ping(), { timeout: 10_000, interval: 50 }).toBe(true);
      expect(await backend.bufferAppend('t', 'y')).toBe(0);
      await backend.registrySet('c', 'u2');
      expect(await backend.registryGetChain('u2')).toBe('c');
      expect(await collect(backend.bufferListThreads())).toEqual(['t']);
      expect(backend.redis.stats.noscriptFallbacks).toBeGreaterThan(0);
    } finally {
      await backend.close();
    }
  });

  it('never sends KEYS or SCAN: listing, clearing, info and gc go through the indexes', async () => {
    await adminCommand({ host: server().host, port: server().port }, ['CONFIG', 'RESETSTAT']);
    const backend = new RedisBackend(server().url, { prefix: randomPrefix('sb-keys'), ttlMs: 60_000 });
    try {
      for (let i = 0; i < 50; i++) await backend.bufferAppend(`t${i}`, 'x');
      for (let i = 0; i < 20; i++) await backend.registrySet(`c${i}`, `u${i}`);
      expect(await collect(backend.bufferListThreads())).toHaveLength(50);
      expect(await collect(backend.registryListAll())).toHaveLength(20);
      expect(await backend.info()).toEqual({ bufferThreads: 50, registryEntries: 20, ttlMs: 60_000 });
      await backend.gc();
      await backend.bufferClear();
      await backend.registryClear();
      const stats = await adminCommand({ host: server().host, port: server().port }, ['INFO', 'commandstats']);
      expect(stats).toMatch(/cmdstat_evalsha/);
      expect(stats).not.toMatch(/cmdstat_keys:/);
      expect(stats).not.toMatch(/cmdstat_scan:/);
    } finally {
      await backend.close();
    }
  });

  it('takes one round trip per operation (counted by a proxy)', async () => {
    const proxy = await RoundTripProxy.start(server().host, server().port);
    const backend = new RedisBackend(proxy.url, { prefix: randomPrefix('sb-rt'), ttlMs: 60_000 });
    try {
      await backend.bufferAppend('warm', 'x');
      const steps: [string, () => Promise<unknown>][] = [
        ['bufferAppend', () => backend.bufferAppend('t', 'x')],
        ['bufferGetThread', () => backend.bufferGetThread('t')],
        ['registrySet', () => backend.registrySet('c', 'u')],
        ['registryGetUuid', () => backend.registryGetUuid('c')],
        ['bufferListThreads', () => collect(backend.bufferListThreads())],
        ['info', () => backend.info()],
      ];
      for (const [, step] of steps) await step(); // loads the scripts
      for (const [name, step] of steps) {
        proxy.reset();
        await step();
        expect({ name, roundTrips: proxy.roundTrips }).toEqual({ name, roundTrips: 1 });
      }
    } finally {
      await backend.close();
      await proxy.close();
    }
  });
});
