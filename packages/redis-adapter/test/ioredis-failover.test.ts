import { afterAll, describe, expect, it } from 'vitest';
import { Cluster } from 'ioredis';
import { hostPort, useCluster } from '@x/tooling/vitest';
import { createRedisAdapter, hashSlot, type RedisAdapter } from '../src/index.js';

// Sharded pub/sub on an ioredis cluster lives on subscriber connections the adapter makes
// per shard: after a failover they must follow the slot to the promoted replica.
describe('ioredis cluster: shard subscribers across a failover', () => {
  const cluster = useCluster({ replicasPerMaster: 1 });
  const clients: Cluster[] = [];
  const adapters: RedisAdapter[] = [];
  afterAll(async () => {
    for (const a of adapters) await a.close().catch(() => undefined);
    for (const c of clients) c.disconnect();
  });
  const connect = async () => {
    const client = new Cluster(cluster().rootNodes.map((n) => hostPort(n.url)), { lazyConnect: true });
    client.on('error', () => undefined);
    await client.connect();
    clients.push(client);
    const adapter = createRedisAdapter(client);
    adapters.push(adapter);
    return adapter;
  };

  it('tells the subscriber to resync and delivers again once the channel moved to the new master', async () => {
    const subscriber = await connect();
    const publisher = await connect();
    // A channel on the master that will die (index 0 serves the slots from 0).
    let channel = 'failover-0';
    for (let i = 0; hashSlot(channel) > 4000; i++) channel = `failover-${i}`;
    const received: string[] = [];
    let resyncs = 0;
    await subscriber.subscribe(channel, (m) => received.push(m), { onResync: () => resyncs++ });
    await publisher.publish(channel, 'before');
    const deadline = Date.now() + 5_000;
    while (!received.includes('before') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(received).toEqual(['before']);

    const { promoted } = await cluster().killMaster(0, { waitForFailover: true });
    expect(promoted).toBeDefined();
    // Publish until the message arrives on the moved subscription (the publisher itself needs
    // to learn the new slot map first; its failed publishes before that are expected).
    const until = Date.now() + 30_000;
    while (!received.includes('after') && Date.now() < until) {
      await publisher.publish(channel, 'after').catch(() => 0);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(received).toContain('after');
    expect(resyncs).toBeGreaterThan(0);
  }, 60_000);
});
