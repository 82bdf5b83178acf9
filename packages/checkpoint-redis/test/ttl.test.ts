import { expect, it } from 'vitest';
import type { RunnableConfig } from '@langchain/core/runnables';
import { forEachTopology, randomPrefix } from '@x/tooling/vitest';
import { waitUntil } from '@x/tooling/redis';
import type { RedisAdapter } from '@x/redis-adapter';
import { RedisSaver } from '../src/index.js';
import { checkpoint, meta, toArray } from './fixtures.js';
import { keysOf, useRedis } from './helpers.js';

async function pttls(adapter: RedisAdapter, keys: string[]): Promise<number[]> {
  return Promise.all(keys.map((k) => adapter.command<number>({ command: ['PTTL', k], keys: [k] })));
}

forEachTopology(['standalone', 'cluster'], (t) => {
  const redis = useRedis(t);

  function saverWith(ttlMs: number, refreshOnRead = false) {
    return new RedisSaver(redis.client() as never, { prefix: randomPrefix('cp-ttl').replace(/:$/, ''), ttlMs, refreshOnRead });
  }

  /** Writes two namespaces with blobs and writes, so every kind of key exists. */
  async function populate(saver: RedisSaver, thread: string): Promise<RunnableConfig> {
    let conf: RunnableConfig = { configurable: { thread_id: thread } };
    for (let i = 0; i < 3; i++) {
      conf = await saver.put(conf, checkpoint({ a: i }, { a: i + 1 }), meta(i, { user: 'u' }), { a: i + 1 });
      await saver.putWrites(conf, [['a', i]], 'task');
    }
    await saver.put({ configurable: { thread_id: thread, checkpoint_ns: 'sub' } }, checkpoint({ b: 1 }), meta(0), { b: 1 });
    return conf;
  }

  async function threadKeys(saver: RedisSaver, thread: string): Promise<string[]> {
    return (await keysOf(redis.adapter(), saver.keys.keyspace.prefix)).filter((k) => saver.keys.keyspace.idOf(k) === thread);
  }

  it('every key of a thread gets the TTL on every write', async () => {
    const saver = saverWith(60_000);
    await populate(saver, 'th');
    const keys = await threadKeys(saver, 'th');
    expect(keys.length).toBe(7); // all data keys: checkpoints, metadata, both indexes, blobs, write order, writes
    for (const ttl of await pttls(redis.adapter(), keys)) {
      expect(ttl).toBeGreaterThan(50_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
    }
    // a thread that only has writes (putWrites landed first) expires too
    await saver.putWrites({ configurable: { thread_id: 'only-writes', checkpoint_id: 'x' } }, [['a', 1]], 't');
    const writeKeys = await threadKeys(saver, 'only-writes');
    expect(writeKeys.length).toBe(2);
    for (const ttl of await pttls(redis.adapter(), writeKeys)) expect(ttl).toBeGreaterThan(50_000);
  });

  it('refreshOnRead refreshes every key on getTuple, list and getDeltaChannelHistory; without it reads do not', async () => {
    for (const refresh of [true, false]) {
      const saver = saverWith(60_000, refresh);
      const conf = await populate(saver, 'r');
      const keys = await threadKeys(saver, 'r');
      const reads: (() => Promise<unknown>)[] = [
        () => saver.getTuple({ configurable: { thread_id: 'r' } }),
        () => toArray(saver.list({ configurable: { thread_id: 'r' } }, { limit: 1 })),
        () => saver.getDeltaChannelHistory({ config: conf, channels: ['a'] }),
      ];
      for (const read of reads) {
        for (const k of keys) await redis.adapter().command({ command: ['PEXPIRE', k, 5_000], keys: [k] }); // time passes
        await read();
        for (const ttl of await pttls(redis.adapter(), keys)) {
          if (refresh) expect(ttl).toBeGreaterThan(50_000);
          else expect(ttl).toBeLessThanOrEqual(5_000);
        }
      }
    }
  });

  it('all keys of a thread expire together', async () => {
    const saver = saverWith(400);
    const other = saverWith(0);
    await populate(saver, 'gone');
    await populate(other, 'stays');
    const keys = await threadKeys(saver, 'gone');
    const ttls = await pttls(redis.adapter(), keys);
    expect(Math.max(...ttls) - Math.min(...ttls)).toBeLessThan(100);
    await waitUntil(async () => (await threadKeys(saver, 'gone')).length === 0, { timeoutMs: 10_000, what: 'the thread to expire' });
    expect(await saver.getTuple({ configurable: { thread_id: 'gone' } })).toBeUndefined();
    expect(await other.getTuple({ configurable: { thread_id: 'stays' } })).toBeDefined();
  });

  it('a pinned thread never expires until unpinned, even across writes', async () => {
    const saver = saverWith(60_000);
    const conf = await populate(saver, 'pinned');
    await saver.pinThread('pinned');
    const keys = await threadKeys(saver, 'pinned');
    expect(await pttls(redis.adapter(), keys)).toEqual(keys.map(() => -1));
    await saver.put(conf, checkpoint({ a: 9 }, { a: 9 }), meta(9), { a: 9 });
    await saver.putWrites(conf, [['z', 1]], 'later');
    expect(await pttls(redis.adapter(), await threadKeys(saver, 'pinned'))).toEqual(keys.map(() => -1));
    await saver.unpinThread('pinned');
    const after = await threadKeys(saver, 'pinned');
    expect(after.length).toBe(7);
    for (const ttl of await pttls(redis.adapter(), after)) expect(ttl).toBeGreaterThan(50_000);
  });

  it('without a TTL nothing expires (the default)', async () => {
    expect(new RedisSaver(redis.client() as never).ttlMs).toBe(0);
    const saver = saverWith(0);
    await populate(saver, 'forever');
    const keys = await threadKeys(saver, 'forever');
    expect(await pttls(redis.adapter(), keys)).toEqual(keys.map(() => -1));
  });
});
