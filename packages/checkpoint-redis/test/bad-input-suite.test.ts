// The shared bad-input suite (@x/tooling/bad-input) against the saver, on a standalone
// server and on a cluster. Ids and payloads are not table-driven here: LangGraph passes
// numeric thread ids (kept as strings) and its serializer stores Dates, Maps and undefined,
// so the saver's own id and value checks are the extra cases below (and strict-input.test.ts).
import { connectTopology, forEachTopology } from '@x/tooling/vitest';
import { describeBadInput, type EntryPoint, type NumberOption } from '@x/tooling/bad-input';
import { LIST_OPTIONS, REDIS_SAVER_OPTIONS, RedisSaver, ShallowRedisSaver } from '../src/index.js';
import { checkpoint, meta, toArray } from './fixtures.js';
import { dropPrefix } from './helpers.js';

interface Subject {
  readonly saver: RedisSaver;
  readonly client: { close(): Promise<unknown> };
}

const positive: NumberOption = { min: 1, max: Number.MAX_SAFE_INTEGER };
const cfg = (thread_id: string, extra: Record<string, unknown> = {}) => ({ configurable: { thread_id, checkpoint_ns: '', ...extra } });
const cyclic: Record<string, unknown> = { a: 1 };
cyclic.self = cyclic;

const entryPoints: EntryPoint<Subject>[] = [
  {
    name: 'list',
    call: (s, a) => toArray(s.saver.list(cfg('t'), a.options as never)),
    valid: { options: { limit: 5 } },
    options: { accepted: LIST_OPTIONS, numbers: { limit: { min: 0, max: Number.MAX_SAFE_INTEGER } } },
  },
  { name: 'getTuple', call: (s) => s.saver.getTuple(cfg('t')), valid: {} },
  { name: 'put', call: (s) => s.saver.put(cfg('t'), checkpoint({ a: 1 }), meta(0), { a: 1 }), valid: {} },
  { name: 'putWrites', call: (s) => s.saver.putWrites(cfg('t', { checkpoint_id: 'cp' }), [['a', 1]], 'task'), valid: {} },
  { name: 'deleteThread', call: (s) => s.saver.deleteThread('other'), valid: {} },
];

const saverCase = (Saver: typeof RedisSaver) => ({
  name: `new ${Saver.name}`,
  make: (options: Record<string, unknown>) => new Saver(options as never),
  dispose: (made: unknown) => (made as RedisSaver).close(),
  valid: { redis: 'redis://127.0.0.1:1' },
  accepted: REDIS_SAVER_OPTIONS,
  numbers: { listPageSize: positive, listScanBudget: positive, maxIdBytes: { min: 1, max: 65_536 } },
});

forEachTopology(['standalone', 'cluster'], (t) => {
  describeBadInput<Subject>({
    name: `RedisSaver (${t.kind})`,
    open: async (prefix) => {
      const client = await connectTopology(t);
      return { client: client as never, saver: new RedisSaver({ redis: client as never, prefix }) };
    },
    close: async (s) => {
      await dropPrefix(s.saver.redis, s.saver.keys.keyspace.prefix);
      await s.saver.close();
      await s.client.close();
    },
    commands: (s) => s.saver.redis.stats.commands,
    entryPoints,
    closedName: 'RedisSaver',
    closedCodes: ['ERR_CONNECTION_CLOSED'],
    constructors: [saverCase(RedisSaver), saverCase(ShallowRedisSaver)],
    extra: [
      { name: 'ttl as a number', run: (s) => new RedisSaver({ redis: s.saver.redis, ttl: 60_000 as never }), code: 'ERR_INVALID_ARGUMENT', message: /defaultTtlMs: 60000/ },
      { name: 'a misspelled ttl option', run: (s) => new RedisSaver({ redis: s.saver.redis, ttl: { defaultTtl: 1 } as never }), code: 'ERR_UNKNOWN_OPTION', message: /"defaultTtlMs"/ },
      { name: 'list with limit -1', run: (s) => toArray(s.saver.list(cfg('t'), { limit: -1 })), code: 'ERR_INVALID_ARGUMENT' },
      { name: 'getTuple with threadId instead of thread_id', run: (s) => s.saver.getTuple({ configurable: { threadId: 't' } }), code: 'ERR_INVALID_ARGUMENT', message: /"thread_id"/ },
      { name: 'a thread_id over 1024 bytes', run: (s) => s.saver.getTuple(cfg('x'.repeat(1025))), code: 'ERR_TOO_LARGE' },
      { name: 'a 10 MB thread_id', run: (s) => s.saver.put(cfg('i'.repeat(10_000_000)), checkpoint(), meta(0), {}), code: 'ERR_TOO_LARGE' },
      { name: 'an empty thread_id', run: (s) => s.saver.getTuple(cfg('')), code: 'ERR_INVALID_ARGUMENT' },
      { name: 'a thread_id with a lone surrogate', run: (s) => s.saver.getTuple(cfg('a\ud800')), code: 'ERR_INVALID_ARGUMENT' },
      { name: 'a checkpoint_ns over 1024 bytes', run: (s) => s.saver.getTuple(cfg('t', { checkpoint_ns: 'n'.repeat(1025) })), code: 'ERR_TOO_LARGE' },
      { name: 'a checkpoint_id over 1024 bytes', run: (s) => s.saver.getTuple(cfg('t', { checkpoint_id: 'c'.repeat(1025) })), code: 'ERR_TOO_LARGE' },
      { name: 'a channel value holding a BigInt', run: (s) => s.saver.put(cfg('t'), checkpoint({ v: { n: 1n } }), meta(0), { v: 1 }), code: 'ERR_NOT_SERIALIZABLE' },
      { name: 'a channel value holding a cycle', run: (s) => s.saver.put(cfg('t'), checkpoint({ v: cyclic }), meta(0), { v: 1 }), code: 'ERR_NOT_SERIALIZABLE' },
      { name: 'a write holding a BigInt', run: (s) => s.saver.putWrites(cfg('t', { checkpoint_id: 'cp' }), [['a', 2n]], 'task'), code: 'ERR_NOT_SERIALIZABLE' },
    ],
    namespace: {
      write: (s, id) => s.saver.put(cfg(id), checkpoint({ a: 1 }), meta(0), { a: 1 }),
      has: async (s, id) => (await s.saver.getTuple(cfg(id))) !== undefined,
      list: async (s) => [...new Set((await toArray(s.saver.list({ configurable: {} }))).map((tuple) => String(tuple.config.configurable?.thread_id)))],
    },
  });
});
