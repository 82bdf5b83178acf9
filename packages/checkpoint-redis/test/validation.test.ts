import { deltaChannelHistoryTests, validate, type CheckpointSaverTestInitializer } from '@langchain/langgraph-checkpoint-validation';
import { forEachTopology } from '@x/tooling/vitest';
import { connectTopology } from '@x/tooling/vitest';
import type { AnyRedisClient } from '@x/tooling/redis';
import { createRedisAdapter } from '@x/redis-adapter';
import { RedisSaver } from '../src/index.js';
import { dropPrefix, makeSaver } from './helpers.js';

// The upstream conformance suite, in full, under our own name (nothing is skipped
// by name for it), plus its opt-in getDeltaChannelHistory tests, on both topologies.
forEachTopology(['standalone', 'cluster'], (t) => {
  let client: AnyRedisClient;
  const initializer: CheckpointSaverTestInitializer<RedisSaver> = {
    checkpointerName: '@x/checkpoint-redis',
    async beforeAll() {
      client = (await connectTopology(t)) as AnyRedisClient;
    },
    beforeAllTimeout: 60_000,
    async afterAll() {
      await client?.close();
    },
    createCheckpointer() {
      return makeSaver(client);
    },
    async destroyCheckpointer(saver) {
      await dropPrefix(createRedisAdapter(client as never), saver.keys.keyspace.prefix);
      await saver.close();
    },
  };
  validate(initializer);
  deltaChannelHistoryTests(initializer);
});
