// Filters compared with LangGraph's InMemoryStore on random data and random filters
// (seeded): the same items, in the same order, for every filter.
import { InMemoryStore } from '@langchain/langgraph-checkpoint';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectTopology, forEachTopology } from '@x/tooling/vitest';
import { RedisStore } from '../src/index.js';
import { dropPrefix, testPrefix } from './helpers.js';

/** mulberry32: a small seeded generator, so a failure replays. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 20261207;
const VALUES: unknown[] = [0, 1, 2, 2.5, -3, '1', '2', ' 3 ', '', 'x', 'y', 'Infinity', '0x10', true, false, null, [1], ['2'], [[3]], { a: 1 }];
const OPS = ['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin'];

forEachTopology(['standalone', 'cluster'], (t) => {
  let client: Awaited<ReturnType<typeof connectTopology>>;
  let store: RedisStore;
  const memory = new InMemoryStore();
  const random = rng(SEED);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const spaces = [['d', 'one'], ['d', 'one', 'sub'], ['d', 'two'], ['e', 'x']];

  beforeAll(async () => {
    client = await connectTopology(t);
    store = new RedisStore(client as never, { prefix: testPrefix('diff') });
    for (let i = 0; i < 120; i += 1) {
      const value: Record<string, unknown> = {};
      for (const field of ['a', 'b', 'c']) if (random() < 0.8) value[field] = pick(VALUES);
      const ns = pick(spaces);
      const key = `k${i % 90}`; // some keys are put twice: updates keep their place
      await store.put(ns, key, value);
      await memory.put(ns, key, structuredClone(value)); // no shared references: === on [1] must not hold by accident
    }
  });
  afterAll(async () => {
    await dropPrefix(store.redis, store.keys.keyspace.prefix);
    await store.close();
    await client.close();
  });

  const randomFilter = (): Record<string, unknown> => {
    const filter: Record<string, unknown> = {};
    const fields = ['a', 'b', 'c'].filter(() => random() < 0.5);
    for (const field of fields.length ? fields : ['a']) {
      if (random() < 0.3) filter[field] = pick(VALUES);
      else {
        const ops: Record<string, unknown> = {};
        for (let n = 1 + Math.floor(random() * 2); n > 0; n -= 1) {
          const op = pick(OPS);
          ops[op] = op === '$in' || op === '$nin' ? VALUES.filter(() => random() < 0.3) : pick(VALUES);
        }
        filter[field] = ops;
      }
    }
    return filter;
  };
  const ids = (items: { namespace: string[]; key: string }[]) => items.map((i) => `${i.namespace.join('/')}#${i.key}`);

  it('300 random filters on one namespace give the same items in the same order', async () => {
    for (let n = 0; n < 300; n += 1) {
      const filter = randomFilter();
      const ns = pick(spaces);
      const mine = await store.search(ns, { filter, limit: 200 });
      const theirs = (await memory.search(ns, { filter, limit: 200 })).filter((i) => i.namespace.length >= ns.length);
      // A namespace prefix search also covers sub-namespaces: compare as sets there, in order for exact ones.
      expect(ids(mine).sort(), JSON.stringify({ ns, filter })).toEqual(ids(theirs).sort());
      const exact = <T extends { namespace: string[] }>(items: T[]) => items.filter((i) => i.namespace.length === ns.length);
      expect(ids(exact(mine)), JSON.stringify({ ns, filter })).toEqual(ids(exact(theirs)));
    }
  });

  it('100 random filters over every namespace give the same set of items', async () => {
    for (let n = 0; n < 100; n += 1) {
      const filter = randomFilter();
      const mine = await store.search([], { filter, limit: 500 });
      const theirs = await memory.search([], { filter, limit: 500 });
      expect(ids(mine).sort(), JSON.stringify(filter)).toEqual(ids(theirs).sort());
    }
  });
});
