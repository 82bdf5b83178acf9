import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachTopology, connectTopology, useProxiedStandalone } from '@x/tooling/vitest';
import { createRedisAdapter, type RedisAdapter } from '../src/index.js';
import { runAdapterConformance } from '../src/testing.js';

const runner = { describe, it, expect, beforeAll, afterAll };

describe('node-redis client (private server behind a round-trip counter)', () => {
  const proxied = useProxiedStandalone();
  runAdapterConformance(runner, {
    name: 'node-redis standalone',
    createAdapter: () => createRedisAdapter(proxied().proxy.url),
    flushScripts: async () => {
      const a = createRedisAdapter(proxied().server.url);
      await a.command({ command: ['SCRIPT', 'FLUSH'] });
      await a.close();
    },
    restart: () => proxied().server.restart(),
    roundTrips: () => proxied().proxy.roundTrips,
  });
});

forEachTopology(['cluster', 'sentinel'], (t) => {
  const clients: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  });
  runAdapterConformance(runner, {
    name: `node-redis ${t.kind}`,
    createAdapter: async () => {
      const client = await connectTopology(t);
      clients.push(client as { close(): Promise<void> });
      return createRedisAdapter(client);
    },
    flushScripts: async () => {
      if (t.kind === 'cluster') {
        const cluster = await connectTopology(t);
        for (const master of cluster.masters) await (await cluster.nodeClient(master)).sendCommand(['SCRIPT', 'FLUSH']);
        await cluster.close();
      } else {
        const sentinel = await connectTopology(t);
        await sentinel.sendCommand(false, ['SCRIPT', 'FLUSH']);
        await sentinel.close();
      }
    },
  });
});

describe('connection ownership', () => {
  it('never closes a caller-owned client, and closes one it created', async () => {
    const { url } = (await import('@x/tooling/vitest')).getTopologies().standalone;
    const client = await connectTopology({ kind: 'standalone', url, source: 'env', summary: '' });
    const borrowed: RedisAdapter = createRedisAdapter(client);
    expect(borrowed.ownsConnection).toBe(false);
    await borrowed.subscribe('ownership-check', () => undefined);
    await borrowed.close();
    expect(client.isOpen).toBe(true);
    expect(await client.ping()).toBe('PONG');
    await client.close();

    const owned = createRedisAdapter(url);
    expect(owned.ownsConnection).toBe(true);
    expect(await owned.command({ command: ['PING'] })).toBe('PONG');
    await owned.close();
    await expect(owned.command({ command: ['PING'] })).rejects.toMatchObject({ code: 'ERR_CONNECTION_CLOSED' });
  });

  it("closes its subscriber duplicate when the caller closes the client", async () => {
    const { createClient } = await import('redis');
    const { url } = (await import('@x/tooling/vitest')).getTopologies().standalone;
    const name = `owner-${process.pid}-${Date.now()}`;
    const client = createClient({ url, name });
    await client.connect();
    const adapter = createRedisAdapter(client);
    await adapter.subscribe(`${name}:chan`, () => undefined);
    const observer = createRedisAdapter(url);
    const named = async () =>
      String(await observer.command({ command: ['CLIENT', 'LIST'] }))
        .split('\n')
        .filter((line) => line.includes(`name=${name}`)).length;
    expect(await named()).toBe(2); // the client and the adapter's subscriber duplicate
    await client.close();
    const deadline = Date.now() + 5_000;
    while ((await named()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await named()).toBe(0);
    await observer.close();
  });

  it('reports an unreachable URL as a ConnectionError on the first call, never as an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      // Without a reconnect strategy of the caller's, node-redis would retry a refused
      // connection forever and every call would hang; the adapter gives up after a few attempts.
      for (const a of [createRedisAdapter('redis://127.0.0.1:1'), createRedisAdapter({ url: 'redis://127.0.0.1:1' })]) {
        await expect(a.command({ command: ['PING'] })).rejects.toMatchObject({ name: 'ConnectionError' });
        await a.close();
      }
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
