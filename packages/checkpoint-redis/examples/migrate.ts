import { MemorySaver, emptyCheckpoint, type BaseCheckpointSaver, type CheckpointTuple } from '@langchain/langgraph-checkpoint';
import { RedisSaver } from '@x/checkpoint-redis';

/**
 * Copies one thread (every namespace, every checkpoint, its pending writes) from
 * any saver into another, oldest first, keeping ids and parents. Use it to move
 * threads off @langchain/langgraph-checkpoint-redis while that saver still runs.
 */
async function copyThread(from: BaseCheckpointSaver, to: BaseCheckpointSaver, threadId: string): Promise<number> {
  const tuples: CheckpointTuple[] = [];
  for await (const tuple of from.list({ configurable: { thread_id: threadId } })) tuples.push(tuple);
  tuples.sort((a, b) => (a.checkpoint.id < b.checkpoint.id ? -1 : 1));
  for (const { config, checkpoint, metadata, parentConfig, pendingWrites } of tuples) {
    const checkpoint_ns = config.configurable?.checkpoint_ns ?? '';
    const target = { configurable: { thread_id: threadId, checkpoint_ns, checkpoint_id: parentConfig?.configurable?.checkpoint_id } };
    const stored = await to.put(target, checkpoint, metadata ?? { source: 'update', step: -1, parents: {} }, checkpoint.channel_versions);
    const byTask = new Map<string, [string, unknown][]>();
    for (const [taskId, channel, value] of pendingWrites ?? []) byTask.set(taskId, [...(byTask.get(taskId) ?? []), [channel, value]]);
    for (const [taskId, writes] of byTask) await to.putWrites(stored, writes, taskId);
  }
  return tuples.length;
}

// stand-in for the old saver: a thread with two checkpoints and a pending write
const old = new MemorySaver();
const first = await old.put(
  { configurable: { thread_id: 't1', checkpoint_ns: '' } },
  { ...emptyCheckpoint(), channel_values: { n: 1 }, channel_versions: { n: 1 } },
  { source: 'input', step: -1, parents: {} },
);
const second = await old.put(first, { ...emptyCheckpoint(), channel_values: { n: 2 }, channel_versions: { n: 2 } }, { source: 'loop', step: 0, parents: {} });
await old.putWrites(second, [['n', 3]], 'task-a');

const saver = await RedisSaver.fromUrl(process.env.REDIS_URL ?? 'redis://localhost:6379', { prefix: `example-migrate-${process.pid}` });
try {
  console.log('copied', await copyThread(old, saver, 't1'), 'checkpoints');
  const latest = await saver.getTuple({ configurable: { thread_id: 't1' } });
  console.log('latest n =', latest?.checkpoint.channel_values.n, 'pending:', JSON.stringify(latest?.pendingWrites));
  await saver.deleteThread('t1');
} finally {
  await saver.close();
}
