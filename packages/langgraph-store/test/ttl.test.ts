// Item expiry: per-item ttlMs, the store default, refresh on read, and expired items
// leaving search, listNamespaces and the shard's keys.
import { expect, it } from 'vitest';
import { forEachTopology } from '@x/tooling/vitest';
import { waitUntil } from '@x/tooling/redis';
import type { RedisStore, RedisStoreOptions } from '../src/index.js';
import { useStores } from './helpers.js';

forEachTopology(['standalone', 'cluster'], (t) => {
  const stores = useStores(t, 'ttl');
  let store: RedisStore;
  const open = (options: Partial<RedisStoreOptions> = {}) => (store = stores.open(options));
  const NS = ['users', 'u1'];
  const expiryOf = async (key: string) => {
    const k = store.keys.shard(store.keys.shardOf(NS))[6]!;
    const score = await store.redis.command({ command: ['ZSCORE', k, `users.u1\0${key}`], keys: [k] });
    return score === null ? null : Number(score);
  };

  it('an item put with ttlMs disappears from get, search and listNamespaces; others stay', async () => {
    open();
    await store.put(NS, 'short', { v: 1 }, undefined, { ttlMs: 150 });
    await store.put(NS, 'kept', { v: 2 });
    await store.put(['users', 'u2'], 'short', { v: 3 }, undefined, { ttlMs: 150 });
    expect(await store.get(NS, 'short')).not.toBeNull();
    await waitUntil(async () => (await store.get(NS, 'short')) === null, { timeoutMs: 10_000, what: 'the item to expire' });
    await waitUntil(async () => (await store.get(['users', 'u2'], 'short')) === null, { timeoutMs: 10_000, what: 'the other item to expire' });
    expect((await store.search(['users'])).map((i) => i.key)).toEqual(['kept']);
    expect(await store.listNamespaces({ prefix: ['users'] })).toEqual([NS]);
  });

  it('expired items are purged from the shard keys by the next call', async () => {
    open({ ttlMs: 100 });
    await store.put(NS, 'a', { v: 1 });
    await store.put(NS, 'b', { v: 1 }, undefined, { ttlMs: 0 });
    const items = store.keys.shard(store.keys.shardOf(NS))[0]!;
    await waitUntil(async () => (await store.get(NS, 'a')) === null, { timeoutMs: 10_000, what: 'expiry' });
    expect(await store.redis.command({ command: ['HKEYS', items], keys: [items] })).toEqual([`users.u1\0b`]);
  });

  it('a shard whose items all expire leaves no key behind, without any further call', async () => {
    open();
    await store.put(['temp', 'session'], 'a', { v: 1 }, undefined, { ttlMs: 100 });
    await store.put(['temp', 'session', 'sub'], 'b', { v: 1 }, undefined, { ttlMs: 150 });
    const keys = store.keys.shard(store.keys.shardOf(['temp', 'session']));
    const existing = async () => Number(await store.redis.command({ command: ['EXISTS', ...keys], keys }));
    expect(await existing()).toBeGreaterThan(0);
    await waitUntil(async () => (await existing()) === 0, { timeoutMs: 10_000, what: 'the shard keys to expire' });
    expect(await existing()).toBe(0);
  });

  it('the default TTL applies; a put without it (ttlMs 0) never expires', async () => {
    open({ ttlMs: 60_000 });
    await store.put(NS, 'default', { v: 1 });
    await store.put(NS, 'forever', { v: 1 }, undefined, { ttlMs: 0 });
    expect(await expiryOf('default')).toBeGreaterThan(0);
    expect(await expiryOf('forever')).toBeNull();
  });

  it('an update without ttlMs takes the default again (the TTL restarts)', async () => {
    open();
    await store.put(NS, 'k', { v: 1 }, undefined, { ttlMs: 60_000 });
    expect(await expiryOf('k')).not.toBeNull();
    await store.put(NS, 'k', { v: 2 });
    expect(await expiryOf('k')).toBeNull();
  });

  it('refreshTtl on get and search pushes the expiry; a plain read does not', async () => {
    open();
    await store.put(NS, 'k', { v: 1 }, undefined, { ttlMs: 60_000 });
    const first = await expiryOf('k');
    const time = async () => {
      const [s, us] = (await store.redis.command({ command: ['TIME'] })) as [string, string];
      return Number(s) * 1000 + Math.floor(Number(us) / 1000);
    };
    const later = (await time()) + 3;
    while ((await time()) < later) await new Promise((r) => setTimeout(r, 1));
    await store.get(NS, 'k');
    await store.search(NS);
    expect(await expiryOf('k')).toBe(first);
    await store.get(NS, 'k', { refreshTtl: true });
    const second = await expiryOf('k');
    expect(second).toBeGreaterThan(first!);
    const again = (await time()) + 3;
    while ((await time()) < again) await new Promise((r) => setTimeout(r, 1));
    await store.search(NS, { refreshTtl: true });
    expect(await expiryOf('k')).toBeGreaterThan(second!);
  });

  it('ttl.refreshOnRead makes every read refresh', async () => {
    open({ refreshOnRead: true });
    await store.put(NS, 'k', { v: 1 }, undefined, { ttlMs: 60_000 });
    const first = await expiryOf('k');
    await waitUntil(
      async () => {
        await store.get(NS, 'k');
        return (await expiryOf('k'))! > first!;
      },
      { timeoutMs: 10_000, what: 'the expiry to move' },
    );
    expect(await expiryOf('k')).toBeGreaterThan(first!);
  });
});
