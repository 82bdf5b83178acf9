import { describe, expect, it } from 'vitest';
import { JsonPlusSerializer } from '@langchain/langgraph-checkpoint';
import { forEachTopology } from '@x/tooling/vitest';
import {
  CorruptCheckpointError,
  InputTooLargeError,
  InvalidArgumentError,
  NotSerializableError,
  RedisSaver,
  ShallowRedisSaver,
  UnknownOptionError,
  isCorruptCheckpointError,
  isInvalidArgumentError,
} from '../src/index.js';
import { checkpoint, meta, toArray } from './fixtures.js';
import { keysOf, makeSaver, useRedis } from './helpers.js';

/** Runs `fn` and returns what it threw (synchronously or by rejection); fails if it did not throw. */
async function thrown(fn: () => unknown): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('saver errors without Redis', () => {
  it('CorruptCheckpointError is branded and recognised by its guard across copies', () => {
    const err = new CorruptCheckpointError('x');
    expect(isCorruptCheckpointError(err)).toBe(true);
    expect(err.code).toBe('ERR_CHECKPOINT_CORRUPT');
    expect(isCorruptCheckpointError(new Error('x'))).toBe(false);
    const foreign = Object.defineProperty(new Error('x'), Symbol.for('@x/checkpoint-redis:CorruptCheckpointError'), { value: true });
    expect(isCorruptCheckpointError(foreign)).toBe(true);
    expect(foreign).toBeInstanceOf(CorruptCheckpointError);
  });
});

forEachTopology(['standalone', 'cluster'], (t) => {
  const redis = useRedis(t);

  describe('constructor options', () => {
    for (const Saver of [RedisSaver, ShallowRedisSaver]) {
      it(`${Saver.name}: takes the connection first; old option names point at the new ones; unknown keys name the nearest option`, async () => {
        const client = redis.client() as never;
        const single = await thrown(() => new Saver({ redis: client, prefix: 'p' } as never));
        expect(single).toBeInstanceOf(InvalidArgumentError);
        expect(single.message).toContain(`new ${Saver.name}(redis, { prefix, ttlMs, ... })`);
        const ttl = (await thrown(() => new Saver(client, { ttl: { defaultTtlMs: 60_000 } } as never))) as UnknownOptionError;
        expect(ttl).toBeInstanceOf(UnknownOptionError);
        expect(ttl.suggestion).toBe('ttlMs');
        expect(ttl.message).toMatch(/"ttl" is no longer an option, use "ttlMs"/);
        const ttlTypo = (await thrown(() => new Saver(client, { ttlMS: 5 } as never))) as UnknownOptionError;
        expect(ttlTypo.suggestion).toBe('ttlMs');
        const ttlText = await thrown(() => new Saver(client, { ttlMs: '60000' as never }));
        expect(ttlText).toBeInstanceOf(InvalidArgumentError);
        expect(ttlText.message).toMatch(/ttlMs .*"60000" \(a string\)/);
        expect(await thrown(() => new Saver(client, { refreshOnRead: 'yes' as never }))).toBeInstanceOf(InvalidArgumentError);
        const unknown = (await thrown(() => new Saver(client, { prefx: 'p' } as never))) as UnknownOptionError;
        expect(unknown).toBeInstanceOf(UnknownOptionError);
        expect(unknown.code).toBe('ERR_UNKNOWN_OPTION');
        expect(unknown.suggestion).toBe('prefix');
        expect(unknown.message).toContain(`${Saver.name} options`);
        expect(await thrown(() => new Saver(client, { maxIdBytes: 0 }))).toBeInstanceOf(InvalidArgumentError);
        expect(await thrown(() => new Saver(client, { prefix: 'p'.repeat(1025) }))).toBeInstanceOf(InputTooLargeError);
        expect(await thrown(() => new Saver(client, { serde: {} as never }))).toBeInstanceOf(InvalidArgumentError);
        expect(await thrown(() => new Saver(client, { onError: 'log' as never }))).toBeInstanceOf(InvalidArgumentError);
        // The documented form works.
        const ok = new Saver(client, { ttlMs: 60_000, refreshOnRead: true });
        expect(ok.ttlMs).toBe(60_000);
        await ok.close();
      });
    }
  });

  describe('list options', () => {
    it('limit must be a non-negative integer; unknown keys are refused', async () => {
      const saver = makeSaver(redis.client());
      const cfg = { configurable: { thread_id: 'lo' } };
      await saver.put(cfg, checkpoint({ a: 1 }), meta(0), { a: 1 });
      for (const limit of [-1, 1.5, '2', Number.NaN, Infinity]) {
        const err = await thrown(() => toArray(saver.list(cfg, { limit: limit as never })));
        expect(err).toBeInstanceOf(InvalidArgumentError);
        expect(err.message).toMatch(/limit/);
      }
      const typo = (await thrown(() => toArray(saver.list(cfg, { limt: 1 } as never)))) as UnknownOptionError;
      expect(typo).toBeInstanceOf(UnknownOptionError);
      expect(typo.suggestion).toBe('limit');
      expect(await thrown(() => toArray(saver.list(cfg, { filter: 'loop' as never })))).toBeInstanceOf(InvalidArgumentError);
      expect(await thrown(() => toArray(saver.list(cfg, 'x' as never)))).toBeInstanceOf(InvalidArgumentError);
      expect(await toArray(saver.list(cfg, { limit: 1 }))).toHaveLength(1);
      expect(await toArray(saver.list(cfg, { limit: 0 }))).toHaveLength(0);
      await saver.deleteThread('lo');
      await saver.close();
    });
  });

  describe('thread_id', () => {
    it('getTuple/list/put with threadId (no thread_id) throw InvalidArgumentError naming thread_id', async () => {
      const saver = makeSaver(redis.client());
      for (const key of ['threadId', 'threadID', 'thread-id', 'thread']) {
        const err = await thrown(() => saver.getTuple({ configurable: { [key]: 't' } }));
        expect(err).toBeInstanceOf(InvalidArgumentError);
        expect(err.message).toContain('"thread_id"');
      }
      expect(await thrown(() => toArray(saver.list({ configurable: { threadId: 't' } })))).toBeInstanceOf(InvalidArgumentError);
      const putErr = await thrown(() => saver.put({ configurable: { threadId: 't' } }, checkpoint(), meta(0), {}));
      expect(putErr.message).toMatch(/"threadId" but no "thread_id"/);
      // No thread at all stays LangGraph's "no checkpoint" (the conformance suite relies on it), thread_ts is no typo.
      expect(await saver.getTuple({ configurable: { checkpoint_ns: '' } })).toBeUndefined();
      expect(await saver.getTuple({ configurable: { thread_ts: 'x' } })).toBeUndefined();
      expect(await saver.getTuple({ configurable: { thread_id: undefined, checkpoint_ns: '' } })).toBeUndefined();
      expect(await keysOf(redis.adapter(), saver.keys.keyspace.prefix)).toEqual([]);
      await saver.close();
    });

    it('a numeric thread_id is refused, never stored as its string', async () => {
      const saver = makeSaver(redis.client());
      const cp = checkpoint({ a: 1 });
      for (const run of [
        () => saver.put({ configurable: { thread_id: 42, checkpoint_ns: '' } }, cp, meta(0), { a: 1 }),
        () => saver.putWrites({ configurable: { thread_id: 42, checkpoint_ns: '', checkpoint_id: cp.id } }, [['a', 1]], 'task'),
        () => saver.getTuple({ configurable: { thread_id: 42 } }),
        () => toArray(saver.list({ configurable: { thread_id: 42 } })),
        () => saver.deleteThread(42 as never),
      ]) {
        const err = await thrown(run);
        expect(isInvalidArgumentError(err)).toBe(true);
        expect((err as InvalidArgumentError).code).toBe('ERR_INVALID_ARGUMENT');
        expect(err.message).toMatch(/42 \(a number\)/);
      }
      expect(await keysOf(redis.adapter(), saver.keys.keyspace.prefix)).toEqual([]);
      // The string form still works.
      await saver.put({ configurable: { thread_id: '42', checkpoint_ns: '' } }, cp, meta(0), { a: 1 });
      expect((await saver.getTuple({ configurable: { thread_id: '42' } }))?.checkpoint.id).toBe(cp.id);
      await saver.close();
    });

    it('thread_id, checkpoint_ns, checkpoint_id and task ids are bounded by maxIdBytes', async () => {
      const saver = makeSaver(redis.client());
      const big = 'x'.repeat(1025);
      const cp = checkpoint({ a: 1 });
      expect(await thrown(() => saver.getTuple({ configurable: { thread_id: big } }))).toBeInstanceOf(InputTooLargeError);
      expect(await thrown(() => saver.put({ configurable: { thread_id: big } }, cp, meta(0), {}))).toBeInstanceOf(InputTooLargeError);
      expect(await thrown(() => saver.put({ configurable: { thread_id: 't', checkpoint_ns: big } }, cp, meta(0), {}))).toBeInstanceOf(
        InputTooLargeError,
      );
      expect(await thrown(() => saver.getTuple({ configurable: { thread_id: 't', checkpoint_id: big } }))).toBeInstanceOf(InputTooLargeError);
      expect(await thrown(() => saver.put({ configurable: { thread_id: 't' } }, checkpoint({}, {}, big), meta(0), {}))).toBeInstanceOf(
        InputTooLargeError,
      );
      expect(
        await thrown(() => saver.putWrites({ configurable: { thread_id: 't', checkpoint_id: cp.id } }, [['a', 1]], big)),
      ).toBeInstanceOf(InputTooLargeError);
      expect(await thrown(() => toArray(saver.list({ configurable: { thread_id: 't' } }, { before: { configurable: { checkpoint_id: big } } })))).toBeInstanceOf(
        InputTooLargeError,
      );
      expect(await thrown(() => saver.deleteThread(big))).toBeInstanceOf(InputTooLargeError);
      expect(await thrown(() => saver.getTuple({ configurable: { thread_id: '' } }))).toBeInstanceOf(InvalidArgumentError);
      expect(await keysOf(redis.adapter(), saver.keys.keyspace.prefix)).toEqual([]);
      await saver.close();
      // A raised limit lets the same id through, and it round-trips.
      const roomy = makeSaver(redis.client(), { maxIdBytes: 4096 });
      const stored = await roomy.put({ configurable: { thread_id: big, checkpoint_ns: '' } }, cp, meta(0), { a: 1 });
      expect((await roomy.getTuple(stored))?.checkpoint.channel_values).toEqual({ a: 1 });
      await roomy.deleteThread(big);
      await roomy.close();
    });
  });

  describe('values the serializer would store as placeholders', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const deepCycle: Record<string, unknown> = { list: [{ n: 1 }] };
    ((deepCycle.list as Record<string, unknown>[])[0] as Record<string, unknown>).up = deepCycle;
    const cases: [string, unknown, RegExp][] = [
      ['a BigInt', 10n, /BigInt/],
      ['a nested BigInt', { nested: [1, { n: 2n }] }, /\.nested\[1\]\.n is a BigInt/],
      ['a BigInt in a Map', new Map([['k', 3n]]), /BigInt/],
      ['a cycle', cyclic, /\.self refers back to itself/],
      ['a cycle through an array', deepCycle, /cycle/],
    ];
    for (const serde of [undefined, new JsonPlusSerializer()]) {
      for (const [label, value, message] of cases) {
        it(`${label} in a channel value, metadata or a write is NotSerializableError; nothing is written (${serde ? 'upstream serde' : 'default serde'})`, async () => {
          const saver = makeSaver(redis.client(), serde ? { serde } : {});
          const cfg = { configurable: { thread_id: 'ns', checkpoint_ns: '' } };
          const channel = await thrown(() => saver.put(cfg, checkpoint({ v: value }), meta(0), { v: 1 }));
          expect(channel).toBeInstanceOf(NotSerializableError);
          expect((channel as NotSerializableError).code).toBe('ERR_NOT_SERIALIZABLE');
          expect(channel.message).toMatch(message);
          expect(channel.message).toMatch(/^checkpoint\.channel_values\.v/);
          expect(isInvalidArgumentError(channel)).toBe(true);
          const metadata = await thrown(() => saver.put(cfg, checkpoint({ a: 1 }), meta(0, { extra: value }), { a: 1 }));
          expect(metadata).toBeInstanceOf(NotSerializableError);
          expect(await keysOf(redis.adapter(), saver.keys.keyspace.prefix)).toEqual([]);
          const stored = await saver.put(cfg, checkpoint({ a: 1 }), meta(0), { a: 1 });
          const write = await thrown(() => saver.putWrites(stored, [['a', 1], ['b', value]], 'task'));
          expect(write).toBeInstanceOf(NotSerializableError);
          expect(write.message).toMatch(/^writes\[1\]/);
          expect((await saver.getTuple(stored))?.pendingWrites).toEqual([]);
          await saver.deleteThread('ns');
          await saver.close();
        });
      }
    }

    it('shared (non-cyclic) references, Maps, Sets, Dates and bytes are still accepted', async () => {
      const saver = makeSaver(redis.client());
      const shared = { x: 1 };
      const value = { a: shared, b: shared, m: new Map([['k', shared]]), s: new Set([1]), d: new Date(0), u: new Uint8Array([1, 2]) };
      const cfg = { configurable: { thread_id: 'ok', checkpoint_ns: '' } };
      const stored = await saver.put(cfg, checkpoint({ v: value }), meta(0), { v: 1 });
      const back = (await saver.getTuple(stored))?.checkpoint.channel_values.v as typeof value;
      expect(back.a).toEqual({ x: 1 });
      expect(back.b).toEqual({ x: 1 });
      expect(back.m.get('k')).toEqual({ x: 1 });
      expect(back.d).toEqual(new Date(0));
      await saver.deleteThread('ok');
      await saver.close();
    });
  });
});
