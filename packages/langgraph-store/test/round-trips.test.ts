// How many round trips (adapter pipelines) and commands a batch costs, on a standalone
// server and a cluster: one script per shard touched, one round trip per batch, two when
// a search or listing spans shards (the registry is read first).
import { expect, it, vi } from 'vitest';
import { forEachTopology } from '@x/tooling/vitest';
import type { RedisStore } from '../src/index.js';
import { useStores } from './helpers.js';

forEachTopology(['standalone', 'cluster'], (t) => {
  const stores = useStores(t, 'rt');
  let store: RedisStore;
  const open = () => {
    store = stores.open();
    return vi.spyOn(store.redis, 'pipeline');
  };

  it('a batch of gets and puts over 20 users is one round trip with one script per user', async () => {
    const pipeline = open();
    const users = Array.from({ length: 20 }, (_, i) => ['users', `u${i}`, 'facts']);
    pipeline.mockClear();
    const before = store.redis.stats.commands;
    const reloads = store.redis.stats.noscriptFallbacks; // a master that never ran the script yet (not a round trip of ours)
    await store.batch(users.flatMap((namespace) => [{ namespace, key: 'a' }, { namespace, key: 'a', value: { v: 1 } }]));
    expect(pipeline).toHaveBeenCalledTimes(1);
    // 20 scripts, then one ZADD of the shards that got an item into the registry
    expect(store.redis.stats.commands - before - (store.redis.stats.noscriptFallbacks - reloads)).toBe(21);
    const got = await store.batch(users.map((namespace) => ({ namespace, key: 'a' })));
    expect(got.every((g) => g !== null)).toBe(true);
    expect(pipeline).toHaveBeenCalledTimes(2);
  });

  it('namespaces that share the shard labels share one script', async () => {
    const pipeline = open();
    const before = store.redis.stats.commands;
    const reloads = store.redis.stats.noscriptFallbacks;
    await store.batch([
      { namespace: ['users', 'u1', 'facts'], key: 'a', value: { v: 1 } },
      { namespace: ['users', 'u1', 'prefs'], key: 'b', value: { v: 1 } },
      { namespace: ['users', 'u1'], key: 'c', value: { v: 1 } },
      { namespacePrefix: ['users', 'u1'], limit: 10, offset: 0 },
    ]);
    expect(pipeline).toHaveBeenCalledTimes(1);
    expect(store.redis.stats.commands - before - (store.redis.stats.noscriptFallbacks - reloads)).toBe(2); // one script + one registry ZADD
    expect(await store.search(['users', 'u1'])).toHaveLength(3);
  });

  it('a filtered search with puts is two round trips: the reads, then the puts', async () => {
    const pipeline = open();
    await store.batch([
      { namespacePrefix: ['users', 'u1'], filter: { v: 1 }, limit: 10, offset: 0 },
      { namespace: ['users', 'u1'], key: 'a', value: { v: 1 } },
    ]);
    expect(pipeline).toHaveBeenCalledTimes(2);
  });

  it('a search or listing shorter than the shard depth reads the registry first: two round trips', async () => {
    const pipeline = open();
    await store.batch(['u1', 'u2', 'u3'].map((u) => ({ namespace: ['users', u], key: 'k', value: { u } })));
    pipeline.mockClear();
    const [found, spaces] = (await store.batch([
      { namespacePrefix: ['users'], limit: 10, offset: 0 },
      { matchConditions: [{ matchType: 'prefix', path: ['users'] }], limit: 10, offset: 0 },
    ])) as [{ key: string }[], string[][]];
    expect(found).toHaveLength(3);
    expect(spaces).toEqual([['users', 'u1'], ['users', 'u2'], ['users', 'u3']]);
    expect(pipeline).toHaveBeenCalledTimes(2);
  });

  it('reads of a cross-shard search still see the state before the batch', async () => {
    open();
    await store.put(['users', 'u1'], 'old', { v: 1 });
    const [found] = (await store.batch([
      { namespacePrefix: ['users'], limit: 10, offset: 0 },
      { namespace: ['users', 'u1'], key: 'old', value: { v: 2 } },
      { namespace: ['users', 'u9'], key: 'new', value: { v: 1 } },
    ])) as unknown as [{ key: string; value: { v: number } }[]];
    expect(found.map((f) => [f.key, f.value.v])).toEqual([['old', 1]]);
    expect(await store.search(['users'])).toHaveLength(2);
  });

  it('survives SCRIPT FLUSH (the script is re-sent)', async () => {
    open();
    await store.put(['a', 'b'], 'k', { v: 1 });
    await store.redis.command({ command: ['SCRIPT', 'FLUSH'], keys: [store.keys.shard('a.b')[0]!] });
    expect((await store.get(['a', 'b'], 'k'))!.value).toEqual({ v: 1 });
    expect(store.redis.stats.noscriptFallbacks).toBeGreaterThan(0);
  });
});
