import { createClient } from 'redis';
import { emptyCheckpoint } from '@langchain/langgraph-checkpoint';
import { RedisSaver } from '@x/checkpoint-redis';

// A client the application owns; the saver never closes it.
const client = createClient({ url: process.env.REDIS_URL ?? 'redis://localhost:6379' });
await client.connect();

const saver = new RedisSaver(client, {
  prefix: `example-ttl-${process.pid}`,
  // every key of a thread expires 1 hour after its last write or read
  ttlMs: 60 * 60 * 1000,
  refreshOnRead: true,
});

// ten checkpoints, each with one pending write
let parentId; // the previous checkpoint's id
for (let step = 0; step < 10; step++) {
  const checkpoint = { ...emptyCheckpoint(), channel_values: { count: step }, channel_versions: { count: step + 1 } };
  const config = { configurable: { thread_id: 'chat-42', checkpoint_ns: '', checkpoint_id: parentId } };
  const stored = await saver.put(config, checkpoint, { source: 'loop', step, parents: {} }, { count: step + 1 });
  await saver.putWrites(stored, [['count', step + 1]], `task-${step}`);
  parentId = stored.configurable?.checkpoint_id;
}

const key = saver.keys.thread('chat-42')[0] ?? '';
console.log('expires in about', Math.round((await client.pTTL(key)) / 60_000), 'min');

await saver.pinThread('chat-42'); // keep this conversation forever
console.log('pinned ttl:', await client.pTTL(key));
await saver.unpinThread('chat-42'); // back to the default TTL

// keep the 3 newest checkpoints per namespace; drop the rest, their writes and unused blobs
const pruned = await saver.prune(['chat-42'], { keepLast: 3 });
console.log('pruned:', pruned);
for await (const tuple of saver.list({ configurable: { thread_id: 'chat-42' } })) {
  console.log('kept step', tuple.metadata?.step, 'count =', tuple.checkpoint.channel_values.count);
}

await saver.deleteThread('chat-42');
await client.close();
