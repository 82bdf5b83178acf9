import { createCluster } from 'redis';
import { emptyCheckpoint } from '@langchain/langgraph-checkpoint';
import { ShallowRedisSaver } from '@x/checkpoint-redis';

// REDIS_CLUSTER_NODES: comma-separated redis:// URLs of cluster nodes
const rootNodes = (process.env.REDIS_CLUSTER_NODES ?? 'redis://localhost:7000').split(',').map((url) => ({ url }));
const cluster = createCluster({ rootNodes });
await cluster.connect();

// Every key of a thread shares one hash tag, so each operation is one script on one node.
const saver = new ShallowRedisSaver(cluster, { prefix: `example-cluster-${process.pid}` });

for (const thread of ['user:1', 'user:{2}', 'user:*']) {
  let parentId; // the previous checkpoint's id
  for (let step = 0; step < 3; step++) {
    const checkpoint = { ...emptyCheckpoint(), channel_values: { step }, channel_versions: { step: step + 1 } };
    const config = { configurable: { thread_id: thread, checkpoint_ns: '', checkpoint_id: parentId } };
    const stored = await saver.put(config, checkpoint, { source: 'loop', step, parents: {} }, { step: step + 1 });
    parentId = stored.configurable?.checkpoint_id;
  }
  const history = [];
  for await (const tuple of saver.list({ configurable: { thread_id: thread } })) history.push(tuple.metadata?.step);
  const slots = new Set(saver.keys.thread(thread).map((key) => saver.redis.hashSlot(key)));
  console.log(`${thread}: steps listed ${history.join(',')} (shallow keeps the latest), ${slots.size} slot for all keys`);
  await saver.deleteThread(thread);
}
await cluster.close();
