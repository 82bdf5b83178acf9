import { expect, it } from 'vitest';
import type { RunnableConfig } from '@langchain/core/runnables';
import { createClient } from 'redis';
import { connectTopology, forEachTopology, getTopologies, randomPrefix } from '@x/tooling/vitest';
import { RedisSaver } from '../src/index.js';
import { checkpoint, meta, toArray } from './fixtures.js';

/** A short workload through one saver: put, writes, reads, list, prune, delete. */
async function workload(saver: RedisSaver) {
  let conf: RunnableConfig = { configurable: { thread_id: 'w:{1}', checkpoint_ns: '' } };
  for (let i = 0; i < 5; i++) {
    conf = await saver.put(conf, checkpoint({ i, bytes: new Uint8Array([i]) }, { i: i + 1, bytes: i + 1 }), meta(i), { i: i + 1, bytes: i + 1 });
    await saver.putWrites(conf, [['i', i]], `t${i}`, 'p');
  }
  const latest = await saver.getTuple({ configurable: { thread_id: 'w:{1}' } });
  expect(latest?.checkpoint.channel_values).toStrictEqual({ i: 4, bytes: new Uint8Array([4]) });
  expect(latest?.pendingWrites).toEqual([['t4', 'i', 4]]);
  expect((await toArray(saver.list({ configurable: { thread_id: 'w:{1}' } }, { limit: 3 }))).map((t) => t.metadata?.step)).toEqual([4, 3, 2]);
  expect(await saver.prune(['w:{1}'], { keepLast: 2 })).toEqual({ checkpoints: 3, blobs: 6 });
  expect((await saver.getDeltaChannelHistory({ config: conf, channels: ['i'] })).i!.writes).toEqual([['t3', 'i', 3]]);
  await saver.deleteThread('w:{1}');
  expect(await saver.getTuple({ configurable: { thread_id: 'w:{1}' } })).toBeUndefined();
}

// A sentinel-managed master (its own master + replica + sentinel for this file).
forEachTopology(['sentinel'], (t) => {
  it('works through a node-redis sentinel client', async () => {
    const client = await connectTopology(t);
    try {
      await workload(new RedisSaver(client, { prefix: randomPrefix('cp-sentinel').replace(/:$/, '') }));
    } finally {
      await client.close();
    }
  });
});

it('works with a RESP2 client and with connection settings it owns', async () => {
  const url = getTopologies().standalone.url;
  const resp2 = createClient({ url, RESP: 2 });
  await resp2.connect();
  try {
    await workload(new RedisSaver(resp2, { prefix: randomPrefix('cp-resp2').replace(/:$/, '') }));
  } finally {
    await resp2.close();
  }
  const owned = new RedisSaver({ url }, { prefix: randomPrefix('cp-owned').replace(/:$/, '') });
  await workload(owned);
  await owned.close();
  const cluster = new RedisSaver({ rootNodes: getTopologies().cluster.rootNodes }, { prefix: randomPrefix('cp-owned').replace(/:$/, '') });
  await workload(cluster);
  await cluster.close();
});

it('fromUrl on one cluster node connects to the whole cluster, and close() ends that connection', async () => {
  const cluster = getTopologies().cluster;
  const saver = await RedisSaver.fromUrl(cluster.rootNodes[0]!.url, { prefix: randomPrefix('cp-from-url').replace(/:$/, '') });
  try {
    expect(saver.redis.topology).toBe('cluster');
    expect(saver.redis.ownsConnection).toBe(true);
    // Threads land on every master: a plain client on that one node would get MOVED replies here.
    const threads = Array.from({ length: 24 }, (_, i) => `url-thread-${i}`);
    for (const thread_id of threads) await saver.put({ configurable: { thread_id, checkpoint_ns: '' } }, checkpoint({ a: 1 }), meta(0), { a: 1 });
    for (const thread_id of threads) expect((await saver.getTuple({ configurable: { thread_id } }))?.checkpoint.channel_values).toEqual({ a: 1 });
    for (const thread_id of threads) await saver.deleteThread(thread_id);
  } finally {
    await saver.close();
  }
  await expect(saver.getTuple({ configurable: { thread_id: 'x' } })).rejects.toMatchObject({ code: 'ERR_CLOSED', object: 'RedisSaver' });
});
