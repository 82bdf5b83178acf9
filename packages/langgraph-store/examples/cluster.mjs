import { createCluster } from 'redis';
import { RedisStore } from '@x/langgraph-store';

// REDIS_CLUSTER_NODES: comma-separated redis:// URLs of cluster nodes
const rootNodes = (process.env.REDIS_CLUSTER_NODES ?? 'redis://localhost:7000').split(',').map((url) => ({ url }));
const cluster = createCluster({ rootNodes });
await cluster.connect();

// A client you pass stays yours: store.close() leaves it open.
// shardDepth 2 (the default): ['users', id, ...] namespaces of one user share one hash slot.
const store = new RedisStore(cluster, { prefix: `example-cluster-${process.pid}` });
try {
  const users = ['ada', 'bob', 'cy'];
  await store.batch(
    users.flatMap((u) => [
      { namespace: ['users', u, 'facts'], key: 'name', value: { name: u } },
      { namespace: ['users', u, 'prefs'], key: 'tone', value: { tone: 'brief' } },
    ]),
  );
  for (const u of users) {
    const slots = new Set(store.keys.shard(store.keys.shardOf(['users', u])).map((key) => store.redis.hashSlot(key)));
    const found = await store.search(['users', u]); // one script on one node
    console.log(`${u}: ${found.length} items, ${slots.size} slot`);
  }
  // A prefix shorter than shardDepth spans shards: the registry is read, then every shard in one round trip.
  console.log('all users:', (await store.search(['users'], { limit: 100 })).length, 'items');
  for (const item of await store.search(['users'], { limit: 100 })) await store.delete(item.namespace, item.key);
} finally {
  await store.close();
  await cluster.close();
}
