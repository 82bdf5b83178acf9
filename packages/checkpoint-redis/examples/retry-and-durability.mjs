import { emptyCheckpoint } from '@langchain/langgraph-checkpoint';
import { RedisSaver, isDurabilityError } from '@x/checkpoint-redis';

// Retry what failed on a temporary state (every call of the saver is safe to repeat),
// and ask one replica to confirm each put and putWrites within 100 ms.
const saver = await RedisSaver.fromUrl(process.env.REDIS_URL ?? 'redis://localhost:6379', {
  prefix: `example-durable-${process.pid}`,
  retry: { attempts: 3 },
  durability: { replicas: 1, timeoutMs: 100 },
});

const checkpoint = { ...emptyCheckpoint(), channel_values: { count: 1 }, channel_versions: { count: 1 } };
const config = { configurable: { thread_id: 'chat-7', checkpoint_ns: '' } };
try {
  await saver.put(config, checkpoint, { source: 'input', step: 0, parents: {} }, { count: 1 });
  console.log('confirmed by a replica');
} catch (error) {
  // A server without replicas never confirms: the put was applied, but is not safe from a failover.
  if (!isDurabilityError(error)) throw error;
  console.log(`${error.code}: ${error.acknowledged} of ${error.requested} replica(s) confirmed`);
}
console.log('stored:', (await saver.getTuple(config))?.checkpoint.channel_values.count === 1);

await saver.deleteThread('chat-7');
await saver.close();
