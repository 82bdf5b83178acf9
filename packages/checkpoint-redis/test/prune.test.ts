import { expect, it } from 'vitest';
import type { RunnableConfig } from '@langchain/core/runnables';
import { specTest } from '@langchain/langgraph-checkpoint-validation';
import { forEachTopology, connectTopology } from '@x/tooling/vitest';
import type { AnyRedisClient } from '@x/tooling/redis';
import { createRedisAdapter } from '@x/redis-adapter';
import type { RedisSaver } from '../src/index.js';
import { checkpoint, meta, toArray } from './fixtures.js';
import { dropPrefix, makeSaver, useRedis } from './helpers.js';

forEachTopology(['standalone', 'cluster'], (t) => {
  const redis = useRedis(t);

  async function hlen(saver: RedisSaver, thread: string, index: number): Promise<number> {
    const key = saver.keys.thread(thread)[index]!;
    return redis.adapter().command<number>({ command: [index === 2 || index === 3 || index === 5 ? 'ZCARD' : 'HLEN', key], keys: [key] });
  }

  /**
   * n checkpoints per namespace: channel `fixed` written once at the start (so
   * every checkpoint carries its first blob), `step` rewritten every time,
   * one pending write per checkpoint.
   */
  async function build(saver: RedisSaver, thread: string, namespaces: string[], n: number) {
    const ids: Record<string, string[]> = {};
    for (const ns of namespaces) {
      ids[ns] = [];
      let conf: RunnableConfig = { configurable: { thread_id: thread, checkpoint_ns: ns } };
      for (let i = 0; i < n; i++) {
        const cp = checkpoint({ fixed: `fixed-${ns}`, step: i }, { fixed: 1, step: i + 1 });
        conf = await saver.put(conf, cp, meta(i), i === 0 ? { fixed: 1, step: 1 } : { step: i + 1 });
        await saver.putWrites(conf, [['step', i]], `task-${i}`);
        ids[ns]!.push(cp.id);
      }
    }
    return ids;
  }

  it('keeps the newest N per namespace, drops the rest with their writes and the blobs only they used', async () => {
    const saver = makeSaver(redis.client());
    const namespaces = ['', 'child:1', 'child:2'];
    const ids = await build(saver, 'p', namespaces, 10);
    await build(saver, 'untouched', [''], 4);
    expect(await hlen(saver, 'p', 4)).toBe(3 * 11); // blobs: fixed + 10 steps per namespace
    const result = await saver.prune(['p'], { keepLast: 3 });
    expect(result).toEqual({ checkpoints: 3 * 7, blobs: 3 * 7 });
    for (const ns of namespaces) {
      const listed = await toArray(saver.list({ configurable: { thread_id: 'p', checkpoint_ns: ns } }));
      expect(listed.map((l) => l.checkpoint.id)).toEqual(ids[ns]!.slice(7).reverse());
      // kept checkpoints still carry the blob written by the (dropped) first checkpoint
      expect(listed.map((l) => l.checkpoint.channel_values)).toEqual([9, 8, 7].map((s) => ({ fixed: `fixed-${ns}`, step: s })));
      expect(listed.map((l) => l.pendingWrites)).toEqual([9, 8, 7].map((s) => [[`task-${s}`, 'step', s]]));
      expect(await saver.getTuple({ configurable: { thread_id: 'p', checkpoint_ns: ns, checkpoint_id: ids[ns]![0] } })).toBeUndefined();
    }
    expect(await hlen(saver, 'p', 0)).toBe(9); // records
    expect(await hlen(saver, 'p', 2)).toBe(9); // by-ns
    expect(await hlen(saver, 'p', 3)).toBe(9); // by-id
    expect(await hlen(saver, 'p', 4)).toBe(3 * 4); // blobs: fixed + 3 steps per namespace
    expect(await hlen(saver, 'p', 5)).toBe(9); // write order
    expect(await hlen(saver, 'p', 6)).toBe(9); // writes
    expect((await toArray(saver.list({ configurable: { thread_id: 'untouched' } }))).length).toBe(4);
    // idempotent
    expect(await saver.prune(['p'], { keepLast: 3 })).toEqual({ checkpoints: 0, blobs: 0 });
  });

  it('keepLast 0 drops everything; threads that do not exist are fine', async () => {
    const saver = makeSaver(redis.client());
    await build(saver, 'all', ['', 'x'], 3);
    expect(await saver.prune(['all', 'missing'], { keepLast: 0 })).toEqual({ checkpoints: 6, blobs: 8 });
    expect(await toArray(saver.list({ configurable: { thread_id: 'all' } }))).toEqual([]);
    expect(await hlen(saver, 'all', 4)).toBe(0);
  });

  it('more than one budget of checkpoints takes a few calls and stays correct', async () => {
    const saver = makeSaver(redis.client());
    const ids = await build(saver, 'big', [''], 2100);
    const sent = () => saver.redis.stats.commands - saver.redis.stats.noscriptFallbacks; // NOSCRIPT re-sends aside
    const before = sent();
    expect(await saver.prune(['big'], { keepLast: 5 })).toEqual({ checkpoints: 2095, blobs: 2095 });
    expect(sent() - before).toBeLessThanOrEqual(4);
    const listed = await toArray(saver.list({ configurable: { thread_id: 'big' } }));
    expect(listed.map((l) => l.checkpoint.id)).toEqual(ids['']!.slice(-5).reverse());
    expect(listed[4]!.checkpoint.channel_values).toEqual({ fixed: 'fixed-', step: 2095 });
  }, 60_000);
});

forEachTopology(['standalone', 'cluster'], (t) => {
  const redis = useRedis(t);

  it('ShallowRedisSaver keeps only the latest checkpoint per namespace, its writes, and the blobs it uses', async () => {
    const saver = makeSaver(redis.client(), {}, true);
    let conf: RunnableConfig = { configurable: { thread_id: 's' } };
    let sub: RunnableConfig = { configurable: { thread_id: 's', checkpoint_ns: 'sub' } };
    let old: RunnableConfig | undefined;
    for (let i = 0; i < 20; i++) {
      old = conf;
      conf = await saver.put(conf, checkpoint({ fixed: 'f', step: i }, { fixed: 1, step: i + 1 }), meta(i), i === 0 ? { fixed: 1, step: 1 } : { step: i + 1 });
      await saver.putWrites(conf, [['step', i]], `t${i}`);
      sub = await saver.put(sub, checkpoint({ s: i }, { s: i + 1 }), meta(i), { s: i + 1 });
    }
    const listed = await toArray(saver.list({ configurable: { thread_id: 's' } }));
    expect(new Map(listed.map((l) => [l.config.configurable?.checkpoint_ns, l.checkpoint.channel_values]))).toEqual(
      new Map<string, unknown>([
        ['sub', { s: 19 }],
        ['', { fixed: 'f', step: 19 }],
      ]),
    );
    expect(listed.length).toBe(2);
    expect((await saver.getTuple({ configurable: { thread_id: 's' } }))?.pendingWrites).toEqual([['t19', 'step', 19]]);
    const blobs = saver.keys.thread('s')[4]!;
    expect(await redis.adapter().command({ command: ['HLEN', blobs], keys: [blobs] })).toBe(3);
    const writes = saver.keys.thread('s')[6]!;
    expect(await redis.adapter().command({ command: ['HLEN', writes], keys: [writes] })).toBe(1);
    // a write to a superseded checkpoint is ignored
    await saver.putWrites(old!, [['late', 1]], 'late');
    expect(await redis.adapter().command({ command: ['HLEN', writes], keys: [writes] })).toBe(1);
  });

  it('ShallowRedisSaver keeps writes that land before the put of their checkpoint', async () => {
    const saver = makeSaver(redis.client(), {}, true);
    let parent: RunnableConfig = await saver.put({ configurable: { thread_id: 'sr' } }, checkpoint(), meta(0), {});
    for (let i = 0; i < 10; i++) {
      const cp = checkpoint({ n: i }, { n: i + 1 });
      const target = { configurable: { ...parent.configurable, checkpoint_id: cp.id } };
      await saver.putWrites(target, [['n', i]], 'early');
      parent = await saver.put(parent, cp, meta(i), { n: i + 1 });
      expect((await saver.getTuple({ configurable: { thread_id: 'sr' } }))?.pendingWrites).toEqual([['early', 'n', i]]);
    }
  });
});

// The shallow saver against the parts of the upstream suite that do not rely on history.
forEachTopology(['standalone', 'cluster'], (t) => {
  let client: AnyRedisClient;
  specTest(
    {
      checkpointerName: '@x/checkpoint-redis (shallow)',
      async beforeAll() {
        client = (await connectTopology(t)) as AnyRedisClient;
      },
      beforeAllTimeout: 60_000,
      async afterAll() {
        await client?.close();
      },
      createCheckpointer: () => makeSaver(client, {}, true),
      async destroyCheckpointer(saver) {
        await dropPrefix(createRedisAdapter(client as never), saver.keys.keyspace.prefix);
      },
    },
    ['put', 'putWrites', 'deleteThread'],
  );
});
