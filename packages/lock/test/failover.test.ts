import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCluster } from '@x/tooling/vitest';
import { adminCommand, connectCluster, parseClusterNodes, type RedisCluster } from '@x/tooling/redis';
import { createRedisAdapter, hashSlot, type RedisAdapter } from '@x/redis-adapter';
import { createLock, lockKeys } from '../src/index.js';
import { lockName, testPrefix, trackUnhandledRejections, until } from './helpers.js';

trackUnhandledRejections();

describe('cluster master failover while locks are held and waited on', () => {
  const cluster = useCluster({ masters: 3, replicasPerMaster: 1 });
  const prefix = testPrefix('failover');
  let clientA: RedisCluster;
  let clientB: RedisCluster;
  let adapterA: RedisAdapter;
  let adapterB: RedisAdapter;

  beforeAll(async () => {
    clientA = await connectCluster(cluster().rootNodes);
    clientB = await connectCluster(cluster().rootNodes);
    adapterA = createRedisAdapter(clientA);
    adapterB = createRedisAdapter(clientB);
  });
  afterAll(async () => {
    await adapterA.close();
    await adapterB.close();
    await clientA.close().catch(() => undefined);
    await clientB.close().catch(() => undefined);
  });

  /** The index in `masters()` of the master serving `key`'s slot. */
  const masterIndexOf = async (key: string) => {
    const slot = hashSlot(key);
    const view = parseClusterNodes(await adminCommand(cluster().masters()[0]!, ['CLUSTER', 'NODES']));
    const owner = view.find(
      (n) =>
        n.role === 'master' &&
        n.slots.some((r) => {
          const [lo, hi = lo] = r.split('-').map(Number);
          return slot >= lo! && slot <= hi!;
        }),
    )!;
    return cluster().masters().findIndex((m) => m.id === owner.id);
  };

  it('the holder keeps a replicated lock through the failover, the queued waiters are served on the new master, tokens increase', async () => {
    // One lock on the master we kill, one on a master that stays.
    const doomed = lockName('doomed');
    const index = await masterIndexOf(lockKeys(prefix, doomed).lock);
    let safe = lockName('safe');
    while ((await masterIndexOf(lockKeys(prefix, safe).lock)) === index) safe = lockName('safe');
    const ttlMs = 10_000;
    const holderDoomed = createLock(adapterA, doomed, { prefix, ttlMs });
    const holderSafe = createLock(adapterA, safe, { prefix, ttlMs });
    const waiterDoomed = createLock(adapterB, doomed, { prefix, ttlMs });
    const waiterSafe = createLock(adapterB, safe, { prefix, ttlMs });

    const heldDoomed = await holderDoomed.acquire();
    const heldSafe = await holderSafe.acquire();
    // Make sure the replica has the lock before its master dies (asynchronous replication
    // could otherwise lose it: see the README on what a failover can and cannot promise).
    const lockKey = lockKeys(prefix, doomed).lock;
    expect(Number(await clientA.sendCommand(lockKey, false, ['WAIT', '1', '2000']))).toBe(1);

    const waitingDoomed = waiterDoomed.acquire({ timeoutMs: 60_000 });
    const waitingSafe = waiterSafe.acquire({ timeoutMs: 60_000 });
    await until(() => waiterDoomed.stats.waits === 1 && waiterSafe.stats.waits === 1, 'both waiters to block');
    // A queue on the doomed master: a second waiter (another client) behind the first.
    const secondDoomed = createLock(adapterA, doomed, { prefix, ttlMs });
    const waitingSecond = secondDoomed.acquire({ timeoutMs: 60_000 });
    await until(() => secondDoomed.stats.waits === 1, 'the second waiter to block');

    // The adapter tells its subscribers that announcements may have been lost meanwhile.
    let resyncs = 0;
    const watch = await adapterB.subscribe(`${lockKeys(prefix, doomed).channel}:watch`, () => undefined, {
      onResync: () => resyncs++,
    });
    const { promoted } = await cluster().killMaster(index, { waitForFailover: true });
    expect(promoted).toBeDefined();
    // Renewals get through again once node-redis has found the new master.
    const renewals = holderDoomed.stats.renewals;
    await until(() => holderDoomed.stats.renewals > renewals, 'a renewal on the promoted replica', 30_000);
    expect(heldDoomed.signal.aborted).toBe(false);
    expect(resyncs).toBeGreaterThan(0);
    await watch.unsubscribe();
    expect(heldSafe.signal.aborted).toBe(false);

    // Releases wake the waiters through the (new) shard's announcements or, if one was
    // published while the client was still resubscribing, through the resync retries that
    // follow a failover: never by sleeping through the holder's 10 s lease.
    const fallbackBefore = waiterDoomed.stats.fallbackRetries + waiterSafe.stats.fallbackRetries;
    expect(await heldDoomed.release()).toBe(true);
    expect(await heldSafe.release()).toBe(true);
    const [nextDoomed, nextSafe] = await Promise.all([waitingDoomed, waitingSafe]);
    expect(nextDoomed.fencingToken).toBeGreaterThan(heldDoomed.fencingToken);
    expect(nextSafe.fencingToken).toBeGreaterThan(heldSafe.fencingToken);
    expect(waiterDoomed.stats.fallbackRetries + waiterSafe.stats.fallbackRetries).toBe(fallbackBefore);
    await nextDoomed.release();
    await nextSafe.release();
    // The queue (replicated, or rebuilt by the waiters' refresh after the failover) serves the second.
    const second = await waitingSecond;
    expect(second.fencingToken).toBeGreaterThan(nextDoomed.fencingToken);
    await second.release();
    expect(holderDoomed.stats.losses + holderSafe.stats.losses).toBe(0);
  });
});
