import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, Redis } from 'iovalkey';
import { forEachTopology, hostPort } from '@x/tooling/vitest';
import { createRedisAdapter } from '../src/index.js';
import { runAdapterConformance } from '../src/testing.js';

const runner = { describe, it, expect, beforeAll, afterAll };

// iovalkey (the Valkey project's fork of ioredis) goes through the ioredis transport unchanged.
forEachTopology(['standalone', 'cluster'], (t) => {
  const clients: (Redis | Cluster)[] = [];
  afterAll(async () => {
    for (const c of clients) await c.quit().catch(() => c.disconnect());
  });
  const connect = async () => {
    const client =
      t.kind === 'standalone'
        ? new Redis(t.url, { lazyConnect: true })
        : new Cluster(t.rootNodes.map((n) => hostPort(n.url)), { lazyConnect: true });
    client.on('error', () => undefined);
    await client.connect();
    clients.push(client);
    return client;
  };
  runAdapterConformance(runner, {
    name: `iovalkey ${t.kind}`,
    createAdapter: async () => {
      const adapter = createRedisAdapter(await connect());
      expect(adapter.topology).toBe(t.kind);
      return adapter;
    },
    flushScripts: async () => {
      const client = await connect();
      const nodes = client instanceof Cluster ? client.nodes('master') : [client];
      for (const node of nodes) await node.call('SCRIPT', 'FLUSH');
    },
  });
});
