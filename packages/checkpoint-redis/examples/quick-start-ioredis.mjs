import { Redis } from 'ioredis';
import { emptyCheckpoint } from '@langchain/langgraph-checkpoint';
import { RedisSaver } from '@x/checkpoint-redis';

// An ioredis client of your own: the saver uses it as is and never closes it.
const redis = new Redis(process.env.REDIS_URL ?? 'redis://localhost:6379');
const saver = new RedisSaver(redis, { prefix: `example-ioredis-${process.pid}` });

const checkpoint = { ...emptyCheckpoint(), channel_values: { count: 1 }, channel_versions: { count: 1 } };
const config = { configurable: { thread_id: 'chat-42', checkpoint_ns: '' } };
const stored = await saver.put(config, checkpoint, { source: 'input', step: 0, parents: {} }, { count: 1 });
const tuple = await saver.getTuple(stored);
console.log('read back:', JSON.stringify(tuple?.checkpoint.channel_values));

await saver.deleteThread('chat-42');
await saver.close(); // leaves the ioredis client open
await redis.quit();
