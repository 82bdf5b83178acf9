// The `durability` option on a sentinel-managed master with one replica (the harness's
// replication setup): a batch of puts resolves once the replica confirmed it, and rejects
// with DurabilityError (the puts applied) while the replica is stalled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCommand, type NodeAddress } from '@x/tooling/redis';
import { randomPrefix, useSentinel } from '@x/tooling/vitest';
import { DurabilityError, RedisStore, isRetryable, type RedisStoreOptions } from '../src/index.js';

describe('RedisStore durability (master + replica under sentinel)', () => {
  const sentinel = useSentinel();
  const stores: RedisStore[] = [];
  let replica: NodeAddress;

  /** A store connected (and its script loaded) before the test stalls anything. */
  const open = async (options: RedisStoreOptions) => {
    const s = sentinel();
    const store = new RedisStore({ sentinelRootNodes: s.sentinelRootNodes, name: s.masterName } as never, { prefix: randomPrefix('store-dur'), ...options });
    stores.push(store);
    await store.put(['warm', 'up'], 'k', { w: 1 });
    return store;
  };

  /** Stalls the replica for `seconds` (DEBUG SLEEP: it acknowledges nothing meanwhile); `back` resolves when it is back. */
  const stallReplica = async (seconds: number): Promise<{ back: Promise<number> }> => {
    const back = adminCommand(replica, ['DEBUG', 'SLEEP', String(seconds)], 10_000).then(() => Date.now());
    await new Promise((resolve) => setTimeout(resolve, 100)); // the sleep has begun
    return { back };
  };

  /** The item's JSON as the replica holds it. */
  const onReplica = (store: RedisStore, namespace: string[], key: string) =>
    adminCommand(replica, ['HGET', store.keys.shard(store.keys.shardOf(namespace))[0]!, `${namespace.join('.')}\0${key}`]);

  beforeAll(async () => {
    const master = await sentinel().getMaster();
    replica = sentinel().dataNodes.find((n) => n.port !== master.port)!;
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
  });

  it('a batch of puts resolves once the replica has them', async () => {
    const store = await open({ durability: { replicas: 1, timeoutMs: 5000 } });
    await store.batch([
      { namespace: ['users', 'a'], key: 'k', value: { n: 1 } },
      { namespace: ['users', 'b'], key: 'k', value: { n: 2 } },
    ]);
    expect(await onReplica(store, ['users', 'a'], 'k')).toBe('{"n":1}');
    expect(await onReplica(store, ['users', 'b'], 'k')).toBe('{"n":2}');
  });

  it('rejects with DurabilityError while the replica is stalled; the put was applied', { timeout: 20_000 }, async () => {
    const store = await open({ durability: { replicas: 1, timeoutMs: 200 } });
    const { back } = await stallReplica(1.5);
    const error = await store.put(['users', 'c'], 'k', { n: 3 }).catch((e: unknown) => e);
    await back;
    expect(error).toBeInstanceOf(DurabilityError);
    expect(error).toMatchObject({ code: 'ERR_DURABILITY', requested: 1, acknowledged: 0 });
    expect(isRetryable(error)).toBe(true);
    expect((await store.get(['users', 'c'], 'k'))?.value).toEqual({ n: 3 });
  });

  it('with retry, a put made while the replica is stalled resolves once it is back', { timeout: 20_000 }, async () => {
    const store = await open({ durability: { replicas: 1, timeoutMs: 200 }, retry: { attempts: 50, baseDelayMs: 50, maxDelayMs: 200 } });
    const { back } = await stallReplica(1);
    await store.put(['users', 'd'], 'k', { n: 4 });
    const resolvedAt = Date.now();
    const backAt = await back;
    expect(resolvedAt).toBeGreaterThanOrEqual(backAt); // confirmed only once the replica was back
    expect(await onReplica(store, ['users', 'd'], 'k')).toBe('{"n":4}');
  });
});
