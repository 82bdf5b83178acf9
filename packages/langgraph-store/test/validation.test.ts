// The store validation suite (@x/langgraph-store/testing) against LangGraph's own
// InMemoryStore, and against RedisStore on a standalone server and on a cluster.
import { InMemoryStore } from '@langchain/langgraph-checkpoint';
import { afterAll, beforeAll } from 'vitest';
import { connectTopology, forEachTopology } from '@x/tooling/vitest';
import { RedisStore } from '../src/index.js';
import { describeStoreSuite } from '../src/testing/index.js';
import { dropPrefix, testPrefix } from './helpers.js';

describeStoreSuite({
  name: 'InMemoryStore',
  create: ({ index }) => new InMemoryStore(index === undefined ? undefined : { index }),
  quirks: { listsEmptyNamespaces: true, readsSeeUpdatesOfTheirBatch: true },
});

forEachTopology(['standalone', 'cluster'], (t) => {
  let client: Awaited<ReturnType<typeof connectTopology>>;
  beforeAll(async () => {
    client = await connectTopology(t);
  });
  afterAll(async () => {
    await client.close();
  });
  describeStoreSuite({
    name: `RedisStore (${t.kind})`,
    create: ({ index }) => new RedisStore({ redis: client as never, prefix: testPrefix('suite'), ...(index ? { index } : {}) }),
    dispose: async (store) => {
      await dropPrefix(store.redis, store.keys.keyspace.prefix);
      await store.close();
    },
  });
});
