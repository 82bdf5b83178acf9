// The thread the CPU and decode probes read: 20 checkpoints of 10 channels (two changed per
// step, values of about 300 bytes) with two pending writes each, on a harness-started Redis.
import { uuid6, type Checkpoint, type CheckpointMetadata } from '@langchain/langgraph-checkpoint';
import { createClient } from 'redis';
import { resolveRedis } from '@x/tooling/redis';
import { RedisSaver } from '../src/index.js';

/** Starts Redis, connects, writes the thread `t` under `prefix`; `close()` deletes it and stops Redis. */
export async function threadFixture(prefix: string) {
  const redis = await resolveRedis('standalone');
  const node = createClient({ url: redis.url });
  await node.connect();
  const saver = new RedisSaver(node as never, { prefix });
  const CH = Array.from({ length: 10 }, (_, i) => `channel_${i}`);
  const value = (s: number, c: number) => ({ step: s, channel: c, text: `value ${s}/${c} `.padEnd(300, '.'), tags: ['a', 'b', 'c'], n: s * 10 + c });
  let tip = { configurable: { thread_id: 't', checkpoint_ns: '' } } as { configurable: Record<string, unknown> };
  let versions: Record<string, number> = {};
  for (let i = 0; i < 20; i++) {
    const changed = i === 0 ? CH : [CH[i % 10]!, CH[(i + 3) % 10]!];
    const nv: Record<string, number> = {};
    versions = { ...versions };
    for (const c of changed) nv[c] = versions[c] = (versions[c] ?? 0) + 1;
    const cp: Checkpoint = { v: 4, id: uuid6(-1), ts: new Date().toISOString(), channel_values: Object.fromEntries(CH.map((c, k) => [c, value(i, k)])), channel_versions: versions, versions_seen: { node: { [CH[0]!]: i } } };
    tip = (await saver.put(tip, cp, { source: 'loop', step: i, parents: {}, user: 'bench' } as CheckpointMetadata, nv)) as typeof tip;
    await saver.putWrites(tip, [[CH[1]!, value(i, 1)], ['__pregel_tasks', { node: 'x', args: {} }]], `task-${i}`, '~__pregel_pull, node');
  }
  const close = async () => {
    for await (const keys of saver.redis.scan({ match: `${prefix}:*` })) for (const k of keys) await node.unlink(k);
    await node.close();
    await redis.stop();
  };
  return { node, saver, config: { configurable: { thread_id: 't', checkpoint_ns: '' } }, close };
}
