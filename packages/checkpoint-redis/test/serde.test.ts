import { describe, expect, it } from 'vitest';
import { AIMessage, HumanMessage, ToolMessage, SystemMessage } from '@langchain/core/messages';
import { DeltaSnapshot, JsonPlusSerializer, MemorySaver, type SerializerProtocol } from '@langchain/langgraph-checkpoint';
import { forEachTopology } from '@x/tooling/vitest';
import { RedisJsonPlusSerializer } from '../src/index.js';
import { checkpoint, meta } from './fixtures.js';
import { makeSaver, useRedis } from './helpers.js';

function sample() {
  const when = new Date('2024-05-06T07:08:09.123Z');
  return {
    bytes: new Uint8Array([0, 1, 2, 250, 255]),
    map: new Map<unknown, unknown>([
      ['a', 1],
      [2, { b: [new Set(['x'])] }],
    ]),
    set: new Set([1, 'two', null]),
    undef: undefined,
    nested: { u: undefined, list: [undefined, 1], when, map: new Map([['at', when]]) },
    date: when,
    messages: [
      new SystemMessage('be brief'),
      new HumanMessage({ content: 'hi', id: 'h1' }),
      new AIMessage({
        content: '',
        id: 'a1',
        tool_calls: [{ id: 'call-1', name: 'lookup', args: { q: 'x' }, type: 'tool_call' }],
      }),
      new ToolMessage({ content: 'found', tool_call_id: 'call-1', id: 't1' }),
    ],
    text: 'ü \u{1F600} \u0000 {a}:*',
    big: 'x'.repeat(200_000),
  };
}

function expectSame(actual: Record<string, unknown>, expected: Record<string, unknown>) {
  expect(actual).toStrictEqual(expected);
  expect(actual.bytes).toBeInstanceOf(Uint8Array);
  expect(actual.map).toBeInstanceOf(Map);
  expect(actual.set).toBeInstanceOf(Set);
  expect(actual.date).toBeInstanceOf(Date);
  expect('undef' in actual).toBe(true);
  const messages = actual.messages as unknown[];
  expect(messages[0]).toBeInstanceOf(SystemMessage);
  expect(messages[1]).toBeInstanceOf(HumanMessage);
  expect(messages[2]).toBeInstanceOf(AIMessage);
  expect((messages[2] as AIMessage).tool_calls).toEqual([{ id: 'call-1', name: 'lookup', args: { q: 'x' }, type: 'tool_call' }]);
  expect(messages[3]).toBeInstanceOf(ToolMessage);
}

forEachTopology(['standalone', 'cluster'], (t) => {
  const redis = useRedis(t);

  it('channel values, metadata and pending writes round-trip exactly (Uint8Array, Map, Set, undefined, Date, messages)', async () => {
    const saver = makeSaver(redis.client());
    const values = sample();
    const versions = Object.fromEntries(Object.keys(values).map((k) => [k, 1]));
    const conf = await saver.put({ configurable: { thread_id: 'serde' } }, checkpoint(values, versions), meta(0, { extra: sample() }), versions);
    await saver.putWrites(conf, Object.entries(sample()), 'task');
    const tuple = await saver.getTuple(conf);
    expectSame(tuple!.checkpoint.channel_values as Record<string, unknown>, sample());
    expectSame((tuple!.metadata as unknown as { extra: Record<string, unknown> }).extra, sample());
    const writes = Object.fromEntries(tuple!.pendingWrites!.map(([, channel, value]) => [channel, value]));
    expectSame(writes, sample());
  });

  it('a value that is itself a Uint8Array is stored as raw bytes', async () => {
    const saver = makeSaver(redis.client());
    const bytes = new Uint8Array(256).map((_, i) => i);
    const conf = await saver.put({ configurable: { thread_id: 'raw' } }, checkpoint({ b: bytes }), meta(0), { b: 1 });
    const value = (await saver.getTuple(conf))!.checkpoint.channel_values.b;
    expect(value).toStrictEqual(bytes);
    expect(Buffer.isBuffer(value)).toBe(false);
  });

  it('with LangGraph’s own JsonPlusSerializer the values match MemorySaver’s (Date becomes an ISO string there)', async () => {
    const saver = makeSaver(redis.client(), { serde: new JsonPlusSerializer() });
    const memory = new MemorySaver();
    const values = sample();
    const versions = Object.fromEntries(Object.keys(values).map((k) => [k, 1]));
    const cp = checkpoint(values, versions);
    const conf = { configurable: { thread_id: 'plain', checkpoint_ns: '' } };
    await saver.put(conf, cp, meta(0), versions);
    await memory.put(conf, cp, meta(0));
    const ours = (await saver.getTuple(conf))!.checkpoint.channel_values;
    const theirs = (await memory.getTuple(conf))!.checkpoint.channel_values;
    expect(ours).toStrictEqual(theirs);
    expect(ours.date).toBe('2024-05-06T07:08:09.123Z');
  });

  it('a custom serde sees every value', async () => {
    const seen: string[] = [];
    const inner = new RedisJsonPlusSerializer();
    const serde: SerializerProtocol = {
      async dumpsTyped(data) {
        const [type, bytes] = await inner.dumpsTyped(data);
        seen.push('dump');
        return [`x-${type}`, Uint8Array.from(bytes, (b) => b ^ 0x5a)];
      },
      async loadsTyped(type, data) {
        seen.push('load');
        const bytes = typeof data === 'string' ? Buffer.from(data) : data;
        return inner.loadsTyped(type.slice(2), Uint8Array.from(bytes, (b) => b ^ 0x5a));
      },
    };
    const saver = makeSaver(redis.client(), { serde });
    const conf = await saver.put({ configurable: { thread_id: 'custom' } }, checkpoint({ a: new Set([1]) }), meta(0), { a: 1 });
    await saver.putWrites(conf, [['w', new Map([[1, 2]])]], 'task');
    const tuple = await saver.getTuple(conf);
    expect(tuple?.checkpoint.channel_values).toStrictEqual({ a: new Set([1]) });
    expect(tuple?.pendingWrites).toStrictEqual([['task', 'w', new Map([[1, 2]])]]);
    expect(seen.filter((s) => s === 'dump').length).toBe(4); // checkpoint, metadata, a, w
    expect(seen.filter((s) => s === 'load').length).toBe(4);
  });
});

describe('RedisJsonPlusSerializer', () => {
  it('writes the same bytes as JsonPlusSerializer when there is no Date', async () => {
    const ours = new RedisJsonPlusSerializer();
    const theirs = new JsonPlusSerializer();
    const { date: _d, nested: _n, ...rest } = sample();
    expect(await ours.dumpsTyped(rest)).toEqual(await theirs.dumpsTyped(rest));
  });

  it('reads every JsonPlusSerializer payload exactly as JsonPlusSerializer does', async () => {
    const ours = new RedisJsonPlusSerializer();
    const theirs = new JsonPlusSerializer();
    const { date: _d, nested: _n, ...rest } = sample();
    const corpus: unknown[] = [
      rest,
      undefined,
      null,
      0,
      'text',
      [undefined, new Set([new Map([[1, new Uint8Array([1, 2])]])])],
      { re: /a+b/giu, err: new Error('boom'), snap: new DeltaSnapshot([1, { u: undefined }]) },
      // inert or odd records stay as they are
      { lc: 2, type: 'constructor', id: ['Set'], method: 'evil', args: [[1]] },
      { lc: 2, type: 'constructor', id: ['Uint8Array'], method: 'from', args: [[1, 999]] },
      { lc: 2, type: 'constructor', id: ['process'], method: 'exit', args: [] },
      { lc: 2, type: 'delta_snapshot' },
      { lc: 2, type: 'something-else', value: 1 },
      { lc: 1, type: 'not_implemented', id: ['x'] },
      { deep: [[[[{ lc: 2, type: 'undefined' }]]]] },
      [new HumanMessage('inside an array'), { m: new AIMessage('and an object') }],
    ];
    for (const value of corpus) {
      const [type, bytes] = await theirs.dumpsTyped(value);
      expect(await ours.loadsTyped(type, bytes)).toStrictEqual(await theirs.loadsTyped(type, bytes));
    }
  });

  it('revives Dates anywhere (arrays, objects, Maps, Sets) and survives cycles', async () => {
    const s = new RedisJsonPlusSerializer();
    const d = new Date(0);
    const value = { list: [d], set: new Set([d]), map: new Map([[d, d]]), invalid: new Date(Number.NaN) };
    const [type, bytes] = await s.dumpsTyped(value);
    expect(await s.loadsTyped(type, bytes)).toStrictEqual(value);
    const cyclic: Record<string, unknown> = { d };
    cyclic.self = cyclic;
    const [t2, b2] = await s.dumpsTyped(cyclic);
    expect(((await s.loadsTyped(t2, b2)) as { d: Date }).d).toStrictEqual(d);
  });
});
