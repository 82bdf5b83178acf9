import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, Redis } from 'ioredis';
import { closeTargetClient, connectTarget, forEachTopology, useProxiedStandalone, type TargetClient } from '@x/tooling/vitest';
import { createRedisAdapter } from '../src/index.js';
import { runAdapterConformance } from '../src/testing.js';

const runner = { describe, it, expect, beforeAll, afterAll };

/** SCRIPT FLUSH on a private server, through an adapter of its own on ioredis. */
const flushOn = async (url: string) => {
  const a = createRedisAdapter(url, { client: 'ioredis' });
  await a.command({ command: ['SCRIPT', 'FLUSH'] });
  await a.close();
};

// The same conformance suite as node-redis (test/conformance.test.ts), over ioredis clients.

describe('ioredis client (private server behind a round-trip counter)', () => {
  const proxied = useProxiedStandalone();
  const clients: Redis[] = [];
  afterAll(async () => {
    for (const c of clients) await c.quit().catch(() => c.disconnect());
  });
  runAdapterConformance(runner, {
    name: 'ioredis standalone (caller-owned client)',
    createAdapter: async () => {
      const client = new Redis(proxied().proxy.url);
      client.on('error', () => undefined);
      clients.push(client);
      return createRedisAdapter(client);
    },
    flushScripts: () => flushOn(proxied().server.url),
    restart: () => proxied().server.restart(),
    roundTrips: () => proxied().proxy.roundTrips,
  });
});

describe('ioredis connection opened by the adapter from a URL', () => {
  const proxied = useProxiedStandalone();
  runAdapterConformance(runner, {
    name: 'ioredis standalone (adapter-owned, from a URL)',
    createAdapter: () => createRedisAdapter(proxied().proxy.url, { client: 'ioredis' }),
    flushScripts: () => flushOn(proxied().server.url),
    restart: () => proxied().server.restart(),
    roundTrips: () => proxied().proxy.roundTrips,
  });
});

forEachTopology(['cluster', 'sentinel'], (t) => {
  const clients: TargetClient[] = [];
  afterAll(async () => {
    await Promise.all(clients.map(closeTargetClient));
  });
  runAdapterConformance(runner, {
    name: `ioredis ${t.kind}`,
    createAdapter: async () => {
      const client = await connectTarget(t, 'ioredis');
      clients.push(client);
      const adapter = createRedisAdapter(client);
      expect(adapter.topology).toBe(t.kind);
      return adapter;
    },
    flushScripts: async () => {
      const client = (await connectTarget(t, 'ioredis')) as TargetClient & (Redis | Cluster);
      try {
        const nodes = client instanceof Cluster ? client.nodes('master') : [client as Redis];
        for (const node of nodes) await node.call('SCRIPT', 'FLUSH');
      } finally {
        await closeTargetClient(client);
      }
    },
  });
});
