// Runs the memory graph once in its own process and prints the answer as JSON.
// Started by test/graphs.test.ts; the store (and, with SAVER=redis, the checkpoints)
// live in Redis, so a second process sees what the first one wrote.
import { MemorySaver } from '@langchain/langgraph-checkpoint';
import { RedisSaver } from '@x/checkpoint-redis';
import { connectClient, connectCluster } from '@x/tooling/redis';
import { RedisStore } from '../../src/index.js';
import { memoryGraph } from './memory-graph.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const topology = JSON.parse(env('TOPOLOGY')) as { kind: string; url?: string; rootNodes?: { url: string }[] };
const client = topology.kind === 'cluster' ? await connectCluster(topology.rootNodes!) : await connectClient(topology.url!);
const store = new RedisStore(client, { prefix: env('PREFIX') });
const checkpointer = env('SAVER') === 'redis' ? new RedisSaver(client, { prefix: `${env('PREFIX')}-cp` }) : new MemorySaver();
const graph = memoryGraph(checkpointer, store);
const result = await graph.invoke({ input: env('INPUT') }, { configurable: { thread_id: env('THREAD'), user_id: env('USER_ID') } });
console.log(JSON.stringify({ answer: result.answer }));
await client.close();
