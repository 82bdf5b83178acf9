import { expect, it } from 'vitest';
import { MemorySaver } from '@langchain/langgraph';
import { forEachTopology } from '@x/tooling/vitest';
import { makeSaver, useRedis } from './helpers.js';
import { interruptAndFork, sendFanOut, subgraph } from './graphs/scenarios.js';

// Real LangGraph graphs (deterministic nodes, no model): results, state and
// history through RedisSaver must equal MemorySaver's exactly.
forEachTopology(['standalone', 'cluster'], (t) => {
  const redis = useRedis(t);

  for (const [name, scenario] of Object.entries({ interruptAndFork, sendFanOut, subgraph })) {
    it(`${name}: same results, state and history as MemorySaver`, async () => {
      const expected = await scenario(new MemorySaver(), 'thread-1');
      const saver = makeSaver(redis.client());
      const actual = await scenario(saver, 'thread-1');
      expect(actual).toStrictEqual(expected);
      // and once more through a fresh saver on the same data (nothing cached in-process)
      const again = await scenario(makeSaver(redis.client(), { prefix: saver.keys.keyspace.prefix }), 'thread-2');
      expect(again).toStrictEqual(await scenario(new MemorySaver(), 'thread-2'));
    });
  }
});
