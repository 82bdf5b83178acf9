// Client-side cost of turning a getTuple reply into a tuple, without the network:
// one real reply is captured, then a saver whose adapter answers with that reply
// at once is timed. `pnpm --filter @x/checkpoint-redis exec tsx bench/decode.ts`
import { uuid6, type Checkpoint, type CheckpointMetadata } from '@langchain/langgraph-checkpoint';
import { createClient } from 'redis';
import { resolveRedis } from '@x/tooling/redis';
import { RedisSaver } from '../src/index.js';

const redis = await resolveRedis('standalone');
const node = createClient({ url: redis.url });
await node.connect();
const saver = new RedisSaver(node as never, { prefix: `dec-${process.pid}` });
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
let captured: unknown;
const real = saver.redis;
const fake = new Proxy(real, {
  get(target, prop, receiver) {
    if (prop === 'runScript') return async () => captured;
    return Reflect.get(target, prop, receiver);
  },
});
const config = { configurable: { thread_id: 't', checkpoint_ns: '' } };
const orig = real.runScript.bind(real);
captured = await orig((await import('@x/lua-scripts')).checkpoint.getTuple, { keys: saver.keys.thread('t'), args: ['', '', 0] }, { returnBuffers: true });
const offline = new RedisSaver(fake, { prefix: `dec-${process.pid}` });
const N = 20000;
for (let r = 0; r < 3; r++) {
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) await offline.getTuple(config);
  const c = process.cpuUsage(c0);
  console.log(`getTuple reply -> tuple: ${((c.user + c.system) / N).toFixed(1)} µs CPU per call`);
}
for await (const keys of real.scan({ match: `dec-${process.pid}:*` })) for (const k of keys) await node.unlink(k);
await node.close();
await redis.stop();
