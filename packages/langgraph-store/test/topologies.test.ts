// The store on a sentinel-managed master as well as standalone and cluster, the
// connection ownership rule, and that it is a real BaseStore.
import { BaseStore } from '@langchain/langgraph-checkpoint';
import { expect, it } from 'vitest';
import { connectTopology, forEachTopology, getTopologies } from '@x/tooling/vitest';
import { RedisStore, isClosedError } from '../src/index.js';
import { dropPrefix, testPrefix } from './helpers.js';

forEachTopology(['standalone', 'cluster', 'sentinel'], (t) => {
  it('puts, gets, searches and lists namespaces', async () => {
    const client = await connectTopology(t);
    const store = new RedisStore(client as never, { prefix: testPrefix('topo') });
    try {
      expect(store).toBeInstanceOf(BaseStore);
      await store.batch([
        { namespace: ['users', 'u1', 'facts'], key: 'tea', value: { text: 'likes tea', n: 1 } },
        { namespace: ['users', 'u2', 'facts'], key: 'car', value: { text: 'drives', n: 2 } },
      ]);
      expect((await store.get(['users', 'u1', 'facts'], 'tea'))?.value).toEqual({ text: 'likes tea', n: 1 });
      expect((await store.search(['users'], { filter: { n: { $gt: 1 } } })).map((i) => i.key)).toEqual(['car']);
      expect(await store.listNamespaces({ maxDepth: 2 })).toEqual([['users', 'u1'], ['users', 'u2']]);
    } finally {
      await dropPrefix(store.redis, store.keys.keyspace.prefix);
      await store.close();
      await client.close();
    }
  });
});

it('a store opened from a URL owns the connection; a client passed in stays open after close()', async () => {
  const { url } = getTopologies().standalone;
  const owned = new RedisStore(url, { prefix: testPrefix('own') });
  await owned.put(['a', 'b'], 'k', { v: 1 });
  await owned.delete(['a', 'b'], 'k');
  await owned.close();
  const err = await owned.get(['a', 'b'], 'k').catch((e: unknown) => e);
  expect(isClosedError(err)).toBe(true);
  expect(String((err as Error).message)).toContain('RedisStore');

  const client = await connectTopology(getTopologies().standalone);
  const borrowed = new RedisStore(client as never, { prefix: testPrefix('borrow') });
  await borrowed.get(['a', 'b'], 'k');
  await borrowed.close();
  expect(await client.ping()).toBe('PONG');
  await client.close();
});
