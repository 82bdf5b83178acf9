// Client CPU and server script time per call, measured in one process:
// process.cpuUsage() around N sequential calls, and INFO commandstats (evalsha
// usec) on the server for the same calls. `pnpm --filter @x/checkpoint-redis exec tsx bench/cpu.ts`
import { uuid6, type Checkpoint, type CheckpointMetadata } from '@langchain/langgraph-checkpoint';
import { createClient } from 'redis';
import { resolveRedis } from '@x/tooling/redis';
import { RedisSaver } from '../src/index.js';

const N = Number(process.env.N ?? 4000);
const redis = await resolveRedis('standalone');
const node = createClient({ url: redis.url });
await node.connect();
const saver = new RedisSaver(node as never, { prefix: `cpu-${process.pid}` });
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
const config = { configurable: { thread_id: 't', checkpoint_ns: '' } };
async function measure(name: string, fn: () => Promise<unknown>) {
  for (let i = 0; i < 500; i++) await fn();
  await node.sendCommand(['CONFIG', 'RESETSTAT']);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await fn();
  const wall = (performance.now() - t0) / N;
  const c = process.cpuUsage(c0);
  const stats = String(await node.sendCommand(['INFO', 'commandstats']));
  const m = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(stats);
  const server = m ? Number(m[2]) / Number(m[1]) : NaN;
  console.log(`${name.padEnd(28)} client CPU ${(((c.user + c.system) / N)).toFixed(1).padStart(6)} µs/call  server ${server.toFixed(1).padStart(5)} µs/call  wall ${(wall * 1000).toFixed(0)} µs`);
}
const trivial = await node.scriptLoad("return {''}");
const keys8 = saver.keys.thread('t');
await measure('floor: node-redis EVALSHA', () => node.evalSha(trivial, { keys: keys8, arguments: ['', '', '0'] }));
await measure('floor: adapter runScript', () => saver.redis.runScript({ name: 'trivial', source: "return {''}", sha1: trivial, numberOfKeys: 8, keys: [], args: [], variadicKeys: false, variadicArgs: false } as never, { keys: keys8, args: ['', '', 0] }, { returnBuffers: true }));
await measure('getTuple latest', () => saver.getTuple(config));
await measure('list limit 10', async () => { for await (const _ of saver.list(config, { limit: 10 })) void _; });
await measure('getTuple latest', () => saver.getTuple(config));
for await (const keys of saver.redis.scan({ match: `cpu-${process.pid}:*` })) for (const k of keys) await node.unlink(k);
await node.close();
await redis.stop();
