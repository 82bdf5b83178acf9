// Runs the crash graph and SIGKILLs itself inside node b, once node a's write is
// stored in Redis. Started by test/crash-resume.test.ts in a child process.
import { appendFileSync } from 'node:fs';
import { serialize } from 'node:v8';
import { connectClient, connectCluster } from '@x/tooling/redis';
import { RedisSaver } from '../../src/index.js';
import { crashGraph } from './crash-graph.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const [TOPOLOGY, PREFIX, THREAD, RUN_LOG] = ['TOPOLOGY', 'PREFIX', 'THREAD', 'RUN_LOG'].map(env) as [string, string, string, string];
const topology = JSON.parse(TOPOLOGY) as { kind: string; url?: string; rootNodes?: { url: string }[] };
const client = topology.kind === 'cluster' ? await connectCluster(topology.rootNodes!) : await connectClient(topology.url!);
const saver = new RedisSaver(client, { prefix: PREFIX });
// With CALL_LOG set, every write that reached Redis is logged (v8-serialized, one per line),
// so the test can replay the same calls into a MemorySaver.
const callLog = process.env.CALL_LOG;
if (callLog) {
  for (const method of ['put', 'putWrites'] as const) {
    const original = saver[method].bind(saver) as (...args: unknown[]) => Promise<unknown>;
    (saver as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
      const result = await original(...args);
      // the config as data (LangGraph's carries callbacks and signals)
      const { thread_id, checkpoint_ns, checkpoint_id } = (args[0] as { configurable: Record<string, unknown> }).configurable;
      const config = { configurable: { thread_id, checkpoint_ns, ...(checkpoint_id !== undefined ? { checkpoint_id } : {}) } };
      appendFileSync(callLog, `${serialize([method, [config, ...args.slice(1)]]).toString('base64')}\n`);
      return result;
    };
  }
}
const config = { configurable: { thread_id: THREAD } };

const graph = crashGraph(saver, RUN_LOG, async () => {
  // wait until a's writes are in Redis, then die without any cleanup
  for (;;) {
    const tuple = await saver.getTuple(config);
    if (tuple?.pendingWrites?.some(([, channel, value]) => channel === 'parts' && JSON.stringify(value).includes('a('))) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  process.kill(process.pid, 'SIGKILL');
  await new Promise(() => {});
});
await graph.invoke({ input: 'x' }, config);
console.log('not killed');
process.exit(1);
