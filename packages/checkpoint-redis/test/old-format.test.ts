import { expect, it } from 'vitest';
import type { RunnableConfig } from '@langchain/core/runnables';
import { BaseCheckpointSaver, MemorySaver, TASKS, uuid6, type Checkpoint } from '@langchain/langgraph-checkpoint';
import { forEachTopology } from '@x/tooling/vitest';
import { RedisJsonPlusSerializer, type RedisSaver } from '../src/index.js';
import { expectSameReadBack } from './compare.js';
import { meta } from './fixtures.js';
import { makeSaver, useRedis } from './helpers.js';
import { putV1 } from './old-format/put-v1.js';

// Records written by the previous release (record format 1: no inline values) must
// still read, alone and mixed with records of today's format in one thread.

function cp(values: Record<string, unknown>, versions: Record<string, number>, v = 4): Checkpoint {
  return { v, id: uuid6(-1), ts: new Date().toISOString(), channel_values: values, channel_versions: versions, versions_seen: { n: { ...versions } } };
}

forEachTopology(['standalone', 'cluster'], (t) => {
  const redis = useRedis(t);

  it('checkpoints written in the old format read back as MemorySaver reads them, also under new checkpoints', async () => {
    const saver = makeSaver(redis.client());
    const memory = new MemorySaver(new RedisJsonPlusSerializer());
    const thread = 'old {thread}';
    const nss = ['', 'child:1'];
    const both = async (
      config: RunnableConfig,
      checkpoint: Checkpoint,
      newVersions: Record<string, number>,
      how: 'old' | 'new',
      step: number,
    ): Promise<RunnableConfig> => {
      const put = how === 'old' ? putV1(saver, config, checkpoint, meta(step), newVersions) : saver.put(config, checkpoint, meta(step), newVersions);
      const [ours] = await Promise.all([put, (memory as BaseCheckpointSaver).put(config, checkpoint, meta(step), newVersions)]);
      return ours;
    };
    const writes = async (config: RunnableConfig, w: [string, unknown][], task: string) => {
      await saver.putWrites(config, w, task);
      await memory.putWrites(config, w, task);
    };
    for (const ns of nss) {
      const root: RunnableConfig = { configurable: { thread_id: thread, checkpoint_ns: ns } };
      // old format: new and carried channels, a Date, bytes, writes, pending sends of a v < 4 checkpoint
      const c1 = await both(root, cp({ a: [1], b: { when: new Date(5) } }, { a: 1, b: 1 }), { a: 1, b: 1 }, 'old', 0);
      await writes(c1, [['a', [2]], [TASKS, { node: 'x', args: 1 }]], 'task-1');
      const c2 = await both(c1, cp({ a: [1, 2], b: { when: new Date(5) } }, { a: 2, b: 1 }, 1), { a: 2 }, 'old', 1);
      const c3 = await both(c2, cp({ a: [1, 2], b: { when: new Date(5) }, c: new Uint8Array([1, 2]) }, { a: 2, b: 1, c: 3 }), { c: 3 }, 'old', 2);
      // a fork of c1 in the old format, re-using version 2 of `a` with another value
      await both(c1, cp({ a: ['fork'], b: { when: new Date(5) } }, { a: 2, b: 1 }), { a: 2 }, 'old', 1);
      // today's format on top of an old parent: carried channels, a value without a version
      const c4 = await both(c3, cp({ a: [1, 2], b: { when: new Date(5) }, c: new Uint8Array([1, 2]), count: 0, [TASKS]: [] }, { a: 2, b: 1, c: 3 }), {}, 'new', 3);
      await writes(c4, [['b', 'w']], 'task-2');
      await both(c4, cp({ a: [1, 2, 3], b: { when: new Date(5) }, c: new Uint8Array([1, 2]) }, { a: 4, b: 1, c: 3 }), { a: 4 }, 'new', 4);
    }
    const read = await expectSameReadBack(saver, memory, [thread], nss, [{ step: 1 }, { source: 'loop' }]);
    expect(Object.keys(read).length).toBeGreaterThan(20);
    // the old v < 4 checkpoint got its pending sends from its parent's writes
    const list = read[`${thread}/ list`] as { checkpoint: Checkpoint }[];
    expect(list.find((x) => x.checkpoint.v === 1)?.checkpoint.channel_values[TASKS]).toEqual([{ node: 'x', args: 1 }]);
    // the delta walk reads old and new records alike
    for (const ns of nss) {
      const options = { config: { configurable: { thread_id: thread, checkpoint_ns: ns } }, channels: ['a', 'b', 'c', 'count'] };
      expect(await saver.getDeltaChannelHistory(options)).toStrictEqual(await memory.getDeltaChannelHistory(options));
    }
    // prune understands both formats: the newest survive with their values, unreferenced blobs go
    const latest = await saver.getTuple({ configurable: { thread_id: thread, checkpoint_ns: '' } });
    const pruned = await saver.prune([thread], { keepLast: 1 });
    expect(pruned.checkpoints).toBe(10); // 6 per namespace, 1 kept in each
    expect(pruned.blobs).toBeGreaterThan(0);
    expect(await saver.getTuple({ configurable: { thread_id: thread, checkpoint_ns: '' } })).toStrictEqual(latest);
  });

  it('a shallow saver takes over a thread written in the old format', async () => {
    const old = makeSaver(redis.client());
    const shallow = makeSaver(redis.client(), { prefix: old.keys.keyspace.prefix }, true);
    const c1 = await putV1(old, { configurable: { thread_id: 's', checkpoint_ns: '' } }, cp({ a: 'A', b: 'B' }, { a: 1, b: 1 }), meta(0), { a: 1, b: 1 });
    const next = cp({ a: 'A', b: 'B2', extra: 'no version' }, { a: 1, b: 2 });
    await shallow.put(c1, next, meta(1), { b: 2 });
    const tuple = await shallow.getTuple({ configurable: { thread_id: 's' } });
    expect(tuple?.checkpoint.channel_values).toStrictEqual({ a: 'A', b: 'B2', extra: 'no version' });
    expect(await shallow.redis.command({ command: ['HLEN', old.keys.thread('s')[4]!], keys: [old.keys.thread('s')[4]!] })).toBe(2);
  });
});
