import { expect, it } from 'vitest';
import { MemorySaver } from '@langchain/langgraph';
import { forEachTopology } from '@x/tooling/vitest';
import { RedisJsonPlusSerializer } from '../src/index.js';
import { expectSameReadBack } from './compare.js';
import { makeSaver, useRedis } from './helpers.js';
import {
  historyQueries,
  interruptAndFork,
  linearWithReducers,
  sendFanOut,
  subgraph,
  valueFidelity,
} from './graphs/scenarios.js';
import { TeeSaver } from './graphs/tee.js';

// Real LangGraph graphs run on RedisSaver while every write also goes to a
// MemorySaver (TeeSaver). Afterwards the raw getTuple / list results of both
// (every checkpoint, every namespace, limit / before / filter) must be deep-equal,
// and the graph's own results must equal a run on MemorySaver alone.
const scenarios = { linearWithReducers, interruptAndFork, sendFanOut, subgraph, valueFidelity, historyQueries };

forEachTopology(['standalone', 'cluster'], (t) => {
  const redis = useRedis(t);

  for (const [name, scenario] of Object.entries(scenarios)) {
    it(`${name}: raw checkpoints equal MemorySaver's after the same calls`, async () => {
      const tee = new TeeSaver(makeSaver(redis.client()));
      const ran = await scenario(tee, 'thread-1');
      expect(ran).toStrictEqual(await scenario(new MemorySaver(new RedisJsonPlusSerializer()), 'thread-1'));
      const read = await expectSameReadBack(tee.redis, tee.memory, ['thread-1'], [...tee.namespaces], [{ source: 'loop' }, { step: 1 }]);
      expect((read['thread-1/ list'] as unknown[]).length).toBeGreaterThan(2);
    });
  }

  it('version-less values come back: defaults no node touched, __pregel_tasks: []', async () => {
    const saver = makeSaver(redis.client());
    await linearWithReducers(saver, 'defaults');
    const list = [];
    for await (const tuple of saver.list({ configurable: { thread_id: 'defaults', checkpoint_ns: '' } })) list.push(tuple);
    const first = list.at(-1)!; // the input checkpoint of the first run
    expect(first.checkpoint.channel_values).toMatchObject({ count: 0, log: [], untouched: { empty: {} } });
    expect(first.checkpoint.channel_versions).not.toHaveProperty('count');
  });

  it('value fidelity: Date, bytes, Map, Set, undefined members and unicode keys read back as put', async () => {
    const { values } = (await valueFidelity(makeSaver(redis.client()), 'fidelity', true)) as { values: Record<string, unknown> };
    expect(values.when).toStrictEqual(new Date(Date.UTC(2024, 1, 29, 12)));
    expect(values.bytes).toStrictEqual({ raw: new Uint8Array([0, 1, 254, 255]) });
    expect(values.raw).toStrictEqual(new Uint8Array([9, 0, 9]));
    expect(values.map).toStrictEqual(new Map([['ключ', 1]]));
    expect(values.set).toStrictEqual(new Set(['🙂', 'b']));
    expect(values.nested).toStrictEqual({ 'ü ∑ 🙂': { deep: [1, undefined, { at: new Date(0) }] }, none: undefined, list: [], obj: {}, seen: true });
    expect(values.empty).toStrictEqual([]);
  });
});
