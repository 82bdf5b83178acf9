import { describe, expect, it } from 'vitest';
import type { RunnableConfig } from '@langchain/core/runnables';
import { BaseCheckpointSaver, MemorySaver, compareWritesSortKeys, uuid6, writesSortKey, type PendingWrite } from '@langchain/langgraph-checkpoint';
import { flushScriptsOn, forEachTopology, getTopologies } from '@x/tooling/vitest';
import { RoundTripProxy } from '@x/tooling/proxy';
import { InvalidArgumentError, RedisSaver } from '../src/index.js';
import { checkpoint, meta, toArray } from './fixtures.js';
import { keysOf, makeSaver, useRedis } from './helpers.js';

forEachTopology(['standalone', 'cluster'], (t) => {
  const redis = useRedis(t);

  /** Commands the saver sent while running `fn` (one script or command = one). */
  async function commandsOf(saver: RedisSaver, fn: () => Promise<unknown>): Promise<number> {
    const { commands, noscriptFallbacks } = saver.redis.stats;
    await fn();
    // a first EVALSHA of a script the server does not know yet is re-sent as EVAL
    return saver.redis.stats.commands - commands - (saver.redis.stats.noscriptFallbacks - noscriptFallbacks);
  }

  describe('one call per operation', () => {
    it('put, putWrites, getTuple (latest and by id), list with a limit, deleteThread: 1 command each', async () => {
      const saver = makeSaver(redis.client());
      const config = { configurable: { thread_id: 'rt', checkpoint_ns: '' } };
      let last: RunnableConfig = config;
      for (let i = 0; i < 30; i++) {
        const values = Object.fromEntries(Array.from({ length: 10 }, (_, c) => [`ch${c}`, { step: i, c }]));
        const versions = Object.fromEntries(Array.from({ length: 10 }, (_, c) => [`ch${c}`, i + 1]));
        const cp = checkpoint(values, versions);
        expect(await commandsOf(saver, async () => (last = await saver.put(last, cp, meta(i), versions)))).toBe(1);
        const writes: PendingWrite[] = [['a', 1], ['b', 2], ['c', 3]];
        expect(await commandsOf(saver, () => saver.putWrites(last, writes, 'task', 'path'))).toBe(1);
      }
      expect(await commandsOf(saver, () => saver.getTuple(config))).toBe(1);
      expect(await commandsOf(saver, () => saver.getTuple(last))).toBe(1);
      expect(await commandsOf(saver, () => toArray(saver.list(config, { limit: 10 })))).toBe(1);
      expect(await commandsOf(saver, () => toArray(saver.list(config, { limit: 10, filter: { source: 'loop' } })))).toBe(1);
      expect(await commandsOf(saver, () => saver.deleteThread('rt'))).toBe(1);
      expect(await saver.getTuple(config)).toBeUndefined();
    });

    it('prune is one round trip (one pipelined script per thread)', async () => {
      const saver = makeSaver(redis.client());
      for (const thread of ['p1', 'p2', 'p3']) {
        let config: RunnableConfig = { configurable: { thread_id: thread } };
        for (let i = 0; i < 5; i++) config = await saver.put(config, checkpoint({ x: i }, { x: i + 1 }), meta(i), { x: i + 1 });
      }
      expect(await commandsOf(saver, () => saver.prune(['p1', 'p2', 'p3'], { keepLast: 2 }))).toBe(3);
    });
  });

  describe('storage', () => {
    it('stores only the channels in newVersions and reassembles the rest from ancestors', async () => {
      const saver = makeSaver(redis.client());
      const c0 = checkpoint({ a: 'a0', b: 'b0', c: 'c0' }, { a: 1, b: 1, c: 1 });
      const conf0 = await saver.put({ configurable: { thread_id: 'st' } }, c0, meta(0), { a: 1, b: 1, c: 1 });
      const c1 = checkpoint({ a: 'a0', b: 'b1', c: 'c0' }, { a: 1, b: 2, c: 1 });
      const conf1 = await saver.put(conf0, c1, meta(1), { b: 2 });
      const c2 = checkpoint({ a: 'a0', b: 'b1', c: 'c2' }, { a: 1, b: 2, c: 2 });
      const conf2 = await saver.put(conf1, c2, meta(2), { c: 2 });
      const blobs = saver.keys.thread('st')[4]!;
      expect(await redis.adapter().command({ command: ['HLEN', blobs], keys: [blobs] })).toBe(5);
      expect((await saver.getTuple(conf2))?.checkpoint).toEqual(c2);
      expect((await saver.getTuple(conf1))?.checkpoint).toEqual(c1);
      expect((await saver.getTuple(conf0))?.checkpoint).toEqual(c0);
    });

    it('keeps forks apart when two branches write the same channel version', async () => {
      const saver = makeSaver(redis.client());
      const root = await saver.put({ configurable: { thread_id: 'fork' } }, checkpoint({ x: 'root', y: 'y' }), meta(0), {
        x: 1,
        y: 1,
      });
      const a = checkpoint({ x: 'branch A', y: 'y' }, { x: 2, y: 1 });
      const b = checkpoint({ x: 'branch B', y: 'y' }, { x: 2, y: 1 });
      const confA = await saver.put(root, a, meta(1), { x: 2 });
      const confB = await saver.put(root, b, meta(1), { x: 2 });
      // children of each branch carry x@2 without rewriting it
      const a2 = checkpoint({ x: 'branch A', y: 'yA' }, { x: 2, y: 2 });
      const b2 = checkpoint({ x: 'branch B', y: 'yB' }, { x: 2, y: 2 });
      const confA2 = await saver.put(confA, a2, meta(2), { y: 2 });
      const confB2 = await saver.put(confB, b2, meta(2), { y: 2 });
      expect((await saver.getTuple(confA))?.checkpoint.channel_values).toEqual({ x: 'branch A', y: 'y' });
      expect((await saver.getTuple(confB))?.checkpoint.channel_values).toEqual({ x: 'branch B', y: 'y' });
      expect((await saver.getTuple(confA2))?.checkpoint.channel_values).toEqual({ x: 'branch A', y: 'yA' });
      expect((await saver.getTuple(confB2))?.checkpoint.channel_values).toEqual({ x: 'branch B', y: 'yB' });
    });

    it('a channel in newVersions without a value has no value, even if another branch stored one', async () => {
      const saver = makeSaver(redis.client());
      const root = await saver.put({ configurable: { thread_id: 'empty' } }, checkpoint({ x: 1 }), meta(0), { x: 1 });
      await saver.put(root, checkpoint({ x: 'set' }, { x: 2 }), meta(1), { x: 2 });
      const cleared = await saver.put(root, checkpoint({}, { x: 2 }), meta(1), { x: 2 });
      const child = await saver.put(cleared, checkpoint({}, { x: 2 }), meta(2), {});
      expect((await saver.getTuple(cleared))?.checkpoint.channel_values).toEqual({});
      expect((await saver.getTuple(child))?.checkpoint.channel_values).toEqual({});
    });
  });

  describe('putWrites', () => {
    it('returns writes in (taskPath, taskId, idx) order by code point', async () => {
      const saver = makeSaver(redis.client());
      const conf = await saver.put({ configurable: { thread_id: 'order' } }, checkpoint(), meta(0), {});
      const tasks: [string, string][] = [
        ['~__pregel_pull, b', 't2'],
        ['', 'input'],
        ['~__pregel_pull, a', 't9'],
        ['~__pregel_push, 0', 't1'],
        ['~__pregel_pull, a', 't3'],
        ['\u{1F600}', 'astral'], // an astral code point sorts after every BMP one
        ['\uFFFF', 'bmp-max'],
        ['a\u0000b', 'nul'],
        ['a', 'plain'],
      ];
      for (const [path, id] of tasks) {
        await saver.putWrites(conf, [['x', `${id}-0`], ['y', `${id}-1`], ['__error__', `${id}-err`]], id, path);
      }
      const expected = tasks
        .flatMap(([path, id]) => [
          { key: writesSortKey(path, id, 0), w: [id, 'x', `${id}-0`] },
          { key: writesSortKey(path, id, 1), w: [id, 'y', `${id}-1`] },
          { key: writesSortKey(path, id, -1), w: [id, '__error__', `${id}-err`] },
        ])
        .sort((a, b) => compareWritesSortKeys(a.key, b.key))
        .map((e) => e.w);
      expect((await saver.getTuple(conf))?.pendingWrites).toEqual(expected);
    });

    it('per write, as MemorySaver: a special channel overwrites, any other write is insert-or-ignore', async () => {
      const saver = makeSaver(redis.client());
      const memory = new MemorySaver();
      const cp = checkpoint();
      const both = async <R>(f: (s: BaseCheckpointSaver) => Promise<R>) => [await f(saver), await f(memory)] as const;
      const [conf] = await both((s) => s.put({ configurable: { thread_id: 'special' } }, cp, meta(0), {}));
      const writes = async () => {
        const [ours, theirs] = await both(async (s) => (await s.getTuple(conf))?.pendingWrites);
        expect(ours).toStrictEqual(theirs);
        return ours;
      };
      await both((s) => s.putWrites(conf, [['a', 'first'], ['__interrupt__', 'i1']], 'task'));
      await both((s) => s.putWrites(conf, [['a', 'second'], ['__interrupt__', 'i2']], 'task')); // mixed
      expect(await writes()).toEqual([
        ['task', '__interrupt__', 'i2'],
        ['task', 'a', 'first'],
      ]);
      await both((s) => s.putWrites(conf, [['__interrupt__', 'i3'], ['__error__', 'e']], 'task'));
      expect(await writes()).toEqual([
        ['task', '__interrupt__', 'i3'],
        ['task', '__error__', 'e'],
        ['task', 'a', 'first'],
      ]);
      await both((s) => s.putWrites(conf, [['__resume__', 'r1']], 'task', 'moved')); // overwrite may move the write
      await both((s) => s.putWrites(conf, [['__resume__', 'r2']], 'task', ''));
      expect((await writes())?.filter((w) => w[1] === '__resume__')).toEqual([['task', '__resume__', 'r2']]);
    });

    it('writes that land before the put of their checkpoint are kept (the put/putWrites race)', async () => {
      const saver = makeSaver(redis.client());
      let parent = await saver.put({ configurable: { thread_id: 'race' } }, checkpoint(), meta(0), {});
      for (let i = 0; i < 25; i++) {
        const cp = checkpoint({ n: i }, { n: i + 1 });
        const target = { configurable: { ...parent.configurable, checkpoint_id: cp.id } };
        // putWrites first, put second, and both at once
        const [, next] = await Promise.all([
          saver.putWrites(target, [['n', i], ['__pregel_tasks', { to: 'x' }]], `task-${i}`, 'p'),
          saver.put(parent, cp, meta(i + 1), { n: i + 1 }),
        ]);
        const tuple = await saver.getTuple(next);
        expect(tuple?.pendingWrites).toEqual([
          [`task-${i}`, 'n', i],
          [`task-${i}`, '__pregel_tasks', { to: 'x' }],
        ]);
        expect(tuple?.checkpoint.channel_values).toEqual({ n: i });
        parent = next;
      }
    });
  });

  describe('list', () => {
    async function history(saver: RedisSaver, thread: string, n: number, ns = '') {
      const ids: string[] = [];
      let conf: RunnableConfig = { configurable: { thread_id: thread, checkpoint_ns: ns } };
      for (let i = 0; i < n; i++) {
        const cp = checkpoint({ i }, { i: i + 1 });
        conf = await saver.put(conf, cp, meta(i, { parity: i % 2 === 0 ? 'even' : 'odd', 'k:{*}': { deep: [i % 3] } }), {
          i: i + 1,
        });
        ids.push(cp.id);
      }
      return ids;
    }

    it('is newest first with no hidden limit, honours before (uuid6) and limit', async () => {
      const saver = new RedisSaver(redis.client() as never, { prefix: `cp-list-${Date.now()}`, listPageSize: 7 });
      const ids = await history(saver, 'long', 120);
      const all = await toArray(saver.list({ configurable: { thread_id: 'long' } }));
      expect(all.map((t) => t.checkpoint.id)).toEqual([...ids].reverse());
      const before = await toArray(saver.list({ configurable: { thread_id: 'long' } }, { before: { configurable: { checkpoint_id: ids[50] } }, limit: 5 }));
      expect(before.map((t) => t.checkpoint.id)).toEqual(ids.slice(45, 50).reverse());
      expect(all[0]?.parentConfig?.configurable?.checkpoint_id).toBe(ids[118]);
    });

    it('filters on any top-level metadata key on the server', async () => {
      const saver = new RedisSaver(redis.client() as never, { prefix: `cp-filter-${Date.now()}`, listScanBudget: 16 });
      const ids = await history(saver, 'f', 40);
      const conf = { configurable: { thread_id: 'f' } };
      const odd = await toArray(saver.list(conf, { filter: { parity: 'odd' } }));
      expect(odd.map((t) => t.checkpoint.id)).toEqual(ids.filter((_, i) => i % 2 === 1).reverse());
      const deep = await toArray(saver.list(conf, { filter: { 'k:{*}': { deep: [2] }, parity: 'even' }, limit: 3 }));
      expect(deep.map((t) => t.metadata?.step)).toEqual([38, 32, 26]);
      expect(await toArray(saver.list(conf, { filter: { parity: 'none' } }))).toEqual([]);
      expect((await toArray(saver.list(conf, { filter: { absent: undefined }, limit: 2 }))).length).toBe(2);
      expect(await toArray(saver.list(conf, { filter: { step: new Date() } }))).toEqual([]);
      // a filter that matches nothing scans in bounded calls: 40 entries / 16 per call
      expect(await commandsOf(saver, () => toArray(saver.list(conf, { filter: { parity: 'none' } })))).toBe(3);
    });

    it('lists every namespace of a thread by id, and every thread without a thread_id', async () => {
      const saver = makeSaver(redis.client());
      const root = await history(saver, 'multi', 3, '');
      const child = await history(saver, 'multi', 3, 'child:1');
      const other = await history(saver, 'other', 2, '');
      const both = await toArray(saver.list({ configurable: { thread_id: 'multi' } }));
      expect(both.map((t) => t.checkpoint.id)).toEqual([...root, ...child].sort().reverse());
      const childOnly = await toArray(saver.list({ configurable: { thread_id: 'multi', checkpoint_ns: 'child:1' } }));
      expect(childOnly.map((t) => t.config.configurable?.checkpoint_ns)).toEqual(['child:1', 'child:1', 'child:1']);
      const everything = await toArray(saver.list({}));
      expect(everything.map((t) => t.checkpoint.id).sort()).toEqual([...root, ...child, ...other].sort());
      const exact = await toArray(saver.list({ configurable: { thread_id: 'multi', checkpoint_id: child[1] } }));
      expect(exact.map((t) => t.checkpoint.id)).toEqual([child[1]]);
    });
  });

  describe('ids are data', () => {
    const odd = ['a', 'a:b', 'a*', '{a}', 'a}b{', 'ü', '\u{1F600}', ' a ', 'a\u0000', '?[x]'];

    it('threads, namespaces and metadata keys with : { } * ? [ unicode and NUL never collide', async () => {
      const saver = makeSaver(redis.client());
      for (const thread of odd) {
        for (const ns of ['', ...odd]) {
          await saver.put({ configurable: { thread_id: thread, checkpoint_ns: ns } }, checkpoint({ who: [thread, ns] }), meta(0, { [thread]: ns }), {
            who: 1,
          });
        }
      }
      for (const thread of odd) {
        for (const ns of ['', ...odd]) {
          const tuple = await saver.getTuple({ configurable: { thread_id: thread, checkpoint_ns: ns } });
          expect(tuple?.checkpoint.channel_values).toEqual({ who: [thread, ns] });
          expect(tuple?.config.configurable).toMatchObject({ thread_id: thread, checkpoint_ns: ns });
        }
        const listed = await toArray(saver.list({ configurable: { thread_id: thread } }, { filter: { [thread]: 'a' } }));
        expect(listed.map((l) => l.checkpoint.channel_values)).toEqual([{ who: [thread, 'a'] }]);
      }
    });

    it('deleteThread removes exactly that thread, every namespace', async () => {
      const saver = makeSaver(redis.client());
      for (const thread of odd) {
        const conf = await saver.put({ configurable: { thread_id: thread, checkpoint_ns: 'x' } }, checkpoint({ v: thread }), meta(0), { v: 1 });
        await saver.put({ configurable: { thread_id: thread } }, checkpoint({ v: thread }), meta(0), { v: 1 });
        await saver.putWrites(conf, [['v', 1]], 't');
      }
      await saver.deleteThread('a');
      expect(await saver.getTuple({ configurable: { thread_id: 'a' } })).toBeUndefined();
      expect(await saver.getTuple({ configurable: { thread_id: 'a', checkpoint_ns: 'x' } })).toBeUndefined();
      for (const thread of odd.filter((x) => x !== 'a')) {
        expect((await saver.getTuple({ configurable: { thread_id: thread, checkpoint_ns: 'x' } }))?.pendingWrites).toEqual([['t', 'v', 1]]);
      }
      const left = await keysOf(redis.adapter(), saver.keys.keyspace.prefix);
      expect(left.some((k) => saver.keys.keyspace.idOf(k) === 'a')).toBe(false);
    });
  });

  describe('input is checked before anything is sent', () => {
    it('rejects missing ids and bad values with InvalidArgumentError', async () => {
      const saver = makeSaver(redis.client());
      const sent = saver.redis.stats.commands;
      await expect(saver.put({}, checkpoint(), meta(0), {})).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(saver.put({ configurable: { thread_id: '' } }, checkpoint(), meta(0), {})).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(saver.put({ configurable: { thread_id: 'x', checkpoint_ns: 'bad\uD800' } }, checkpoint(), meta(0), {})).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(saver.putWrites({ configurable: { thread_id: 'x' } }, [['a', 1]], 't')).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(saver.put({ configurable: { thread_id: 'x' } }, checkpoint({ a: 1 }, { a: Number.NaN }), meta(0), {})).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(saver.prune(['x'], { keepLast: -1 })).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(saver.deleteThread(undefined as never)).rejects.toBeInstanceOf(InvalidArgumentError);
      expect(() => new RedisSaver(redis.client() as never, { ttlMs: -5 })).toThrow(InvalidArgumentError);
      expect(saver.redis.stats.commands).toBe(sent);
      expect(await saver.getTuple({ configurable: {} })).toBeUndefined();
    });
  });

  describe('scripts survive SCRIPT FLUSH', () => {
    it('falls back to EVAL on NOSCRIPT', async () => {
      const saver = makeSaver(redis.client());
      const conf = await saver.put({ configurable: { thread_id: 'flush' } }, checkpoint({ a: 1 }), meta(0), { a: 1 });
      await flushScriptsOn(t);
      const fallbacks = saver.redis.stats.noscriptFallbacks;
      expect((await saver.getTuple(conf))?.checkpoint.channel_values).toEqual({ a: 1 });
      expect(saver.redis.stats.noscriptFallbacks).toBe(fallbacks + 1);
    });
  });
});

describe('connection ownership', () => {
  it('fromUrl owns and closes its connection; a caller-owned client stays open', async () => {
    const url = getTopologies().standalone.url;
    const saver = await RedisSaver.fromUrl(url, { prefix: `own-${Date.now()}` });
    await saver.put({ configurable: { thread_id: 'x' } }, checkpoint(), meta(0), {});
    await saver.close();
    await expect(saver.getTuple({ configurable: { thread_id: 'x' } })).rejects.toThrow(/closed/);
    {
      await using disposable = await RedisSaver.fromUrl(url, { prefix: `own-${Date.now()}` });
      expect(await disposable.getTuple({ configurable: { thread_id: 'x' } })).toBeUndefined();
    }
    await expect(RedisSaver.fromUrl('redis://127.0.0.1:1')).rejects.toThrow();
  });

  it('close() leaves a caller-owned client open', async () => {
    const { connectClient } = await import('@x/tooling/redis');
    const client = await connectClient(getTopologies().standalone.url);
    const saver = new RedisSaver(client, { prefix: `own-${Date.now()}` });
    await saver.close();
    expect(await client.ping()).toBe('PONG');
    await client.close();
  });

  it('one round trip per operation on the wire (standalone, through a counting proxy)', async () => {
    const target = new URL(getTopologies().standalone.url);
    const proxy = await RoundTripProxy.start(target.hostname, Number(target.port));
    const saver = await RedisSaver.fromUrl(proxy.url, { prefix: `rt-${Date.now()}` });
    try {
      const measure = async (fn: () => Promise<unknown>) => {
        await fn(); // warm the script cache (a first EVALSHA may fall back to EVAL)
        proxy.reset();
        await fn();
        return proxy.roundTrips;
      };
      const conf = await saver.put({ configurable: { thread_id: 'w' } }, checkpoint({ a: 1 }), meta(0), { a: 1 });
      expect(await measure(() => saver.put(conf, checkpoint({ a: 2 }, { a: 2 }), meta(1), { a: 2 }))).toBe(1);
      expect(await measure(() => saver.putWrites(conf, [['a', 1], ['b', 2], ['c', 3]], 't'))).toBe(1);
      expect(await measure(() => saver.getTuple({ configurable: { thread_id: 'w' } }))).toBe(1);
      expect(await measure(() => toArray(saver.list({ configurable: { thread_id: 'w' } }, { limit: 10 })))).toBe(1);
      expect(await measure(() => saver.prune(['w', 'v', 'u'], { keepLast: 1 }))).toBe(1);
      expect(await measure(() => saver.deleteThread('w'))).toBe(1);
    } finally {
      await saver.close();
      await proxy.close();
    }
  });
});

// uuid6 ids sort by creation time: the property `before` relies on
describe('uuid6', () => {
  it('ids created later sort later', () => {
    const ids = Array.from({ length: 50 }, () => uuid6(-1));
    expect([...ids].sort()).toEqual(ids);
  });
});
