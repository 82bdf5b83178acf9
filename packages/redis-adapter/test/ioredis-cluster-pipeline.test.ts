import { Cluster } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { connectIoCluster } from '@x/tooling/redis';
import { getTopologies, randomPrefix } from '@x/tooling/vitest';
import { createRedisAdapter, hashSlot } from '../src/index.js';

/** The parts of ioredis' `Redis.Cluster` slot cache the test misleads (what a resharding does to it). */
type SlotCache = { slots: string[][]; _groupsBySlot: number[] };

describe('ioredis cluster: pipelines per node', () => {
  let cluster: Cluster;
  afterAll(async () => {
    await cluster?.quit().catch(() => cluster.disconnect());
  });

  it('sends one pipeline per node and re-sends, once each, the calls a node answered MOVED', async () => {
    cluster = await connectIoCluster(getTopologies().cluster.rootNodes);
    const adapter = createRedisAdapter(cluster);
    const cache = cluster as unknown as SlotCache;
    const prefix = randomPrefix('io-moved');
    // Two keys whose slots two different masters serve.
    const a = `${prefix}{a}`;
    let b = '';
    for (let i = 0; b === ''; i++) {
      const candidate = `${prefix}{b${i}}`;
      if (cache.slots[hashSlot(candidate)]![0] !== cache.slots[hashSlot(a)]![0]) b = candidate;
    }
    const [slotA, slotB] = [hashSlot(a), hashSlot(b)];
    expect(await adapter.pipeline([{ command: ['INCR', a], keys: [a] }, { command: ['INCR', b], keys: [b] }])).toEqual([1, 1]);

    // ioredis now believes a's master serves b's slot: the one pipeline goes there, INCR a runs and INCR b
    // comes back MOVED. ioredis' pipeline does not redirect a partly run pipeline; the adapter re-sends INCR b.
    cache.slots[slotB] = [...cache.slots[slotA]!];
    cache._groupsBySlot[slotB] = cache._groupsBySlot[slotA]!;
    expect(await adapter.pipeline([{ command: ['INCR', a], keys: [a] }, { command: ['INCR', b], keys: [b] }])).toEqual([2, 2]);
    expect(await adapter.pipeline([{ command: ['GET', a], keys: [a] }, { command: ['GET', b], keys: [b] }])).toEqual(['2', '2']);

    // A slot map ioredis' own pipeline check disagrees with (its node groups say two nodes): exec refuses
    // the pipeline before writing it, and the adapter sends each call on its own instead.
    await new Promise<void>((resolve, reject) => cluster.refreshSlotsCache((err) => (err ? reject(err) : resolve())));
    cache.slots[slotB] = [...cache.slots[slotA]!];
    cache._groupsBySlot[slotB] = cache._groupsBySlot[slotA]! + 1;
    expect(await adapter.pipeline([{ command: ['INCR', a], keys: [a] }, { command: ['INCR', b], keys: [b] }])).toEqual([3, 3]);
    await adapter.close();
  });
});
