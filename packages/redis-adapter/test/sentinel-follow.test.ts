// Sentinel connections the adapter creates follow the master themselves (src/sentinel/):
// the replies they read, and on a real sentinel group: a subscription that lives through a
// failover, a graceful `SENTINEL FAILOVER` (the old master alive and demoted), and a first
// connect that cannot find the master.
import { afterAll, describe, expect, it } from 'vitest';
import { useSentinel } from '@x/tooling/vitest';
import { waitUntil } from '@x/tooling/redis';
import { ConnectionError, createRedisAdapter, type RedisAdapter, type RedisTarget } from '../src/index.js';
import { Redis } from 'ioredis';
import { disconnectNow } from '../src/ioredis/disconnect.js';
import type { IoRedis } from '../src/ioredis/types.js';
import type { Transport } from '../src/node-redis/transport.js';
import { MasterFollowingTransport, type MasterConnection } from '../src/sentinel/follow-transport.js';
import { isMasterRole, parseMasterAddr, parseReplicas, SentinelWatch, sentinelAddresses, type NodeAddress } from '../src/sentinel/watch.js';

describe('sentinel replies', () => {
  it('reads the master address, or none for an unknown name', () => {
    expect(parseMasterAddr(['10.0.0.5', '6380'])).toEqual({ host: '10.0.0.5', port: 6380 });
    expect(parseMasterAddr(null)).toBeUndefined();
    expect(parseMasterAddr(['10.0.0.5', 'x'])).toBeUndefined();
  });

  it('reads replicas as field lists or maps, skipping disconnected ones', () => {
    const reply = [
      ['name', '10.0.0.6:6379', 'ip', '10.0.0.6', 'port', '6379', 'flags', 'slave'],
      ['ip', '10.0.0.7', 'port', '6379', 'flags', 'slave,disconnected'],
      new Map([
        ['ip', '10.0.0.8'],
        ['port', '6390'],
        ['flags', 'slave,s_down'],
      ]),
    ];
    expect(parseReplicas(reply)).toEqual([
      { host: '10.0.0.6', port: 6379 },
      { host: '10.0.0.8', port: 6390 },
    ]);
    expect(parseReplicas('nonsense')).toEqual([]);
  });

  it('tells the master role from a replica role', () => {
    expect(isMasterRole(['master', 3129659, []])).toBe(true);
    expect(isMasterRole(['slave', '127.0.0.1', 9753, 'connected', 3167038])).toBe(false);
    expect(isMasterRole(undefined)).toBe(false);
  });

  it('fills in the default host and port of a sentinel', () => {
    expect(sentinelAddresses([{ host: 'h', port: 1 }, {}])).toEqual([
      { host: 'h', port: 1 },
      { host: '127.0.0.1', port: 26379 },
    ]);
  });
});

describe('moving to a new master (plumbing, fake connections)', () => {
  /** A fake master connection whose sends stay pending until `refuseAll` (as a connection waiting to reconnect). */
  function fakeConnection(name: string) {
    const pending: ((err: Error) => void)[] = [];
    const transport = {
      topology: 'standalone',
      publishCommand: 'PUBLISH',
      send: () => new Promise((_, reject) => (name === 'old' ? pending.push(reject) : undefined)).catch((e: unknown) => Promise.reject(e)),
      sendBatch: async () => [],
      scan: async function* () {},
      subscribe: async () => undefined,
      unsubscribe: async () => undefined,
      onInterruption: () => () => undefined,
      abortMeansTimeout: () => false,
      close: async () => undefined,
    } as unknown as Transport;
    if (name === 'new') transport.send = async () => 'from new';
    const connection: MasterConnection = { transport, isReady: true, onTrouble: () => () => undefined, close: async () => undefined };
    /** Refuses the pending sends in order, one message each. */
    return { connection, refuse: (...messages: string[]) => pending.splice(0).forEach((reject, i) => reject(new Error(messages[i]))) };
  }

  it('sends a call refused as closed by the replaced connection to the new master; other errors stay', async () => {
    const old = fakeConnection('old');
    const next = fakeConnection('new');
    const addresses: Record<number, ReturnType<typeof fakeConnection>> = { 1: old, 2: next };
    let move!: (a: NodeAddress) => Promise<void>;
    const transport = new MasterFollowingTransport(
      (_current, moveTo) => {
        move = moveTo;
        return { findMaster: async () => ({ host: 'h', port: 1 }), start: async () => undefined, close: async () => undefined, troubled: () => undefined } as unknown as SentinelWatch;
      },
      async (a) => addresses[a.port]!.connection,
    );
    await transport.connect();
    const waiting = transport.send(['GET', 'k'], 'k', { returnBuffers: false });
    const failing = transport.send(['GET', 'k'], 'k', { returnBuffers: false });
    await move({ host: 'h', port: 2 });
    // The first was never written (refused as closed); the second was in flight and lost its reply.
    const [first, second] = [waiting, failing.catch((e: Error) => e.message)];
    old.refuse('Connection is closed.', 'the connection was dropped: its server is gone or was replaced');
    expect(await first).toBe('from new');
    expect(await second).toBe('the connection was dropped: its server is gone or was replaced');
  });
});

describe('disconnectNow (ioredis)', () => {
  it('ends a connection that waits to reconnect, so nothing waits for it until a deadline', async () => {
    const client = new Redis({ port: 1, lazyConnect: true, retryStrategy: () => 200 });
    client.on('error', () => undefined);
    const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
    client.connect().catch(() => undefined);
    await waitUntil(async () => client.status === 'reconnecting', { timeoutMs: 5_000, what: 'the client reconnecting' });
    disconnectNow(client as unknown as IoRedis);
    await ended;
    expect(client.status).toBe('end');
  });
});

describe.each(['node-redis', 'ioredis'] as const)('a sentinel connection the adapter creates (%s)', (client) => {
  const sentinel = useSentinel();
  const adapters: RedisAdapter[] = [];
  afterAll(async () => {
    for (const a of adapters) await a.close().catch(() => undefined);
  });
  const open = async () => {
    const s = sentinel();
    const target = { sentinelRootNodes: s.sentinelRootNodes.map((n) => ({ host: n.host, port: n.port })), name: s.masterName } as RedisTarget;
    const adapter = createRedisAdapter(target, { client });
    adapters.push(adapter);
    await adapter.ready();
    return adapter;
  };
  /** The port of the server the adapter writes to, as that server reports it. */
  const portOf = async (adapter: RedisAdapter) => Number(/tcp_port:(\d+)/.exec(String(await adapter.command({ command: ['INFO', 'server'], keys: [] })))![1]);

  it('follows a graceful failover (old master alive and demoted) and keeps its subscription', { timeout: 60_000 }, async () => {
    const adapter = await open();
    const received: string[] = [];
    let resyncs = 0;
    await adapter.subscribe('follow:news', (m) => received.push(m), { onResync: () => resyncs++ });
    await adapter.publish('follow:news', 'before');
    await waitUntil(async () => received.includes('before'), { timeoutMs: 5_000, what: 'the message before the failover' });
    const before = await portOf(adapter);

    const promoted = await sentinel().failover();
    expect(promoted.port).not.toBe(before);
    // Writes go to the new master: the adapter moves without a caller-visible error once it has.
    await waitUntil(async () => (await portOf(adapter).catch(() => 0)) === promoted.port, { timeoutMs: 10_000, what: 'the adapter on the new master' });
    await adapter.command({ command: ['SET', 'follow:key', 'after'], keys: ['follow:key'] });
    expect(resyncs).toBeGreaterThan(0);

    await adapter.publish('follow:news', 'after');
    await waitUntil(async () => received.includes('after'), { timeoutMs: 5_000, what: 'the message after the failover' });
  });

  it('says which sentinels it asked when none knows the master', { timeout: 30_000 }, async () => {
    const s = sentinel();
    const adapter = createRedisAdapter({ sentinelRootNodes: s.sentinelRootNodes.map((n) => ({ host: n.host, port: n.port })), name: 'no-such-master' } as RedisTarget, {
      client,
    });
    adapters.push(adapter);
    const err = await adapter.ready().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toMatch(/no-such-master/);
    expect((err as Error).message).toContain(String(s.sentinelRootNodes[0]!.port));
  });
});
