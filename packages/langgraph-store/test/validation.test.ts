// The store validation suite (@x/langgraph-store/testing) against LangGraph's own
// InMemoryStore, and against RedisStore on a standalone server and on a cluster
// (over node-redis, and over ioredis under `pnpm test:ioredis`).
import { InMemoryStore } from '@langchain/langgraph-checkpoint';
import { afterAll, beforeAll } from 'vitest';
import { clientKind, closeTargetClient, connectTarget, forEachTopology, type TargetClient } from '@x/tooling/vitest';
import { RedisStore } from '../src/index.js';
import { describeStoreSuite } from '../src/testing/index.js';
import { dropPrefix, testPrefix } from './helpers.js';

describeStoreSuite({
  name: 'InMemoryStore',
  create: ({ index }) => new InMemoryStore(index === undefined ? undefined : { index }),
  quirks: { listsEmptyNamespaces: true, readsSeeUpdatesOfTheirBatch: true },
});

forEachTopology(['standalone', 'cluster'], (t) => {
  // The client library of this run: node-redis, or ioredis under `pnpm test:ioredis`.
  let client: TargetClient;
  beforeAll(async () => {
    client = await connectTarget(t);
  });
  afterAll(async () => {
    await closeTargetClient(client);
  });
  describeStoreSuite({
    name: `RedisStore (${t.kind}, ${clientKind()})`,
    create: ({ index }) => new RedisStore(client as never, { prefix: testPrefix('suite'), ...(index ? { index } : {}) }),
    dispose: async (store) => {
      await dropPrefix(store.redis, store.keys.keyspace.prefix);
      await store.close();
    },
  });
});
