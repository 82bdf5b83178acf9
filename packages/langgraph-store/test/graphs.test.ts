// Real graphs with our store: a memory written on one thread is recalled on another,
// across processes (with MemorySaver and with RedisSaver), users stay apart, semantic
// recall ranks by meaning, and the store calls of parallel nodes arrive as one batch.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MemorySaver } from '@langchain/langgraph-checkpoint';
import { Annotation, START, StateGraph, type LangGraphRunnableConfig } from '@langchain/langgraph';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { createRedisAdapter } from '@x/redis-adapter';
import { connectTopology, forEachTopology } from '@x/tooling/vitest';
import { RedisStore } from '../src/index.js';
import { WordHashEmbeddings } from '../src/testing/index.js';
import { memoryGraph } from './graphs/memory-graph.js';
import { dropPrefix, testPrefix } from './helpers.js';

// `node --import tsx` runs the worker in one process (the tsx CLI would wrap it in a second one)
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
const worker = fileURLToPath(new URL('./graphs/memory-worker.ts', import.meta.url));

function runWorker(env: Record<string, string>): Promise<{ answer: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', tsx, worker], { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`worker failed: ${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as { answer: string });
    });
  });
}

forEachTopology(['standalone', 'cluster'], (t) => {
  let client: Awaited<ReturnType<typeof connectTopology>>;
  const prefixes: string[] = [];
  beforeAll(async () => {
    client = await connectTopology(t);
  });
  afterAll(async () => {
    const redis = createRedisAdapter(client as never);
    // test prefixes hold only key-safe characters: they appear in keys as they are
    for (const p of prefixes) for (const prefix of [p, `${p}-cp`]) await dropPrefix(redis, prefix);
    await client.close();
  });

  for (const saver of ['memory', 'redis']) {
    it(`a memory written by one process on thread 1 is recalled by another on thread 2 (${saver} saver)`, async () => {
      const prefix = testPrefix(`graph-${saver}`);
      prefixes.push(prefix);
      const common = { TOPOLOGY: JSON.stringify(t), PREFIX: prefix, SAVER: saver, USER_ID: 'u1' };
      const wrote = await runWorker({ ...common, THREAD: 'thread-1', INPUT: 'remember: likes green tea' });
      expect(wrote.answer).toBe('noted: likes green tea');
      const recalled = await runWorker({ ...common, THREAD: 'thread-2', INPUT: 'what do I drink?' });
      expect(recalled.answer).toBe('you told me: likes green tea');
      // another user on the same store sees nothing (in this process, on a third thread)
      const store = new RedisStore(client as never, { prefix });
      const graph = memoryGraph(new MemorySaver(), store);
      const other = await graph.invoke({ input: 'what do I drink?' }, { configurable: { thread_id: 'thread-3', user_id: 'u2' } });
      expect(other.answer).toBe('I know nothing about you');
      expect(await store.listNamespaces()).toEqual([['memories', 'u1']]);
      await store.close();
    });
  }

  it('with an index, recall ranks memories by meaning', async () => {
    const prefix = testPrefix('graph-index');
    prefixes.push(prefix);
    const embeddings = new WordHashEmbeddings(64);
    const store = new RedisStore(client as never, { prefix, index: { dims: embeddings.dims, embeddings: embeddings as never, fields: ['text'] } });
    const graph = memoryGraph(new MemorySaver(), store);
    const config = (thread_id: string) => ({ configurable: { thread_id, user_id: 'u1' } });
    for (const fact of ['drives a red car', 'likes green tea in the morning', 'works on databases', 'has a cat named tea']) {
      await graph.invoke({ input: `remember: ${fact}` }, config(`w-${fact}`));
    }
    const out = await graph.invoke({ input: 'green tea morning' }, config('ask'));
    expect(out.answer.startsWith('you told me: likes green tea in the morning; ')).toBe(true);
    await store.close();
  });

  it('the store calls of parallel nodes in one step arrive as one batch', async () => {
    const prefix = testPrefix('graph-batch');
    prefixes.push(prefix);
    const store = new RedisStore(client as never, { prefix });
    await store.batch(['a', 'b', 'c'].map((u) => ({ namespace: ['profiles', u], key: 'name', value: { name: u.toUpperCase() } })));
    const batch = vi.spyOn(store, 'batch');
    const pipeline = vi.spyOn(store.redis, 'pipeline');
    const State = Annotation.Root({ names: Annotation<string[]>({ reducer: (a, b) => [...a, ...b], default: () => [] }) });
    const reader = (u: string) => async (_: unknown, config: LangGraphRunnableConfig) => {
      const item = await config.store!.get(['profiles', u], 'name');
      return { names: [String(item?.value.name)] };
    };
    const graph = new StateGraph(State)
      .addNode('a', reader('a'))
      .addNode('b', reader('b'))
      .addNode('c', reader('c'))
      .addEdge(START, 'a')
      .addEdge(START, 'b')
      .addEdge(START, 'c')
      .compile({ store });
    const out = await graph.invoke({ names: [] });
    expect(out.names.sort()).toEqual(['A', 'B', 'C']);
    expect(batch).toHaveBeenCalledTimes(1);
    expect(batch.mock.calls[0]![0]).toHaveLength(3);
    expect(pipeline).toHaveBeenCalledTimes(1); // three shards, one round trip
    await store.close();
  });
});
