// The shared bad-input suite (@x/tooling/bad-input) against the saver, on a standalone
// server and on a cluster. Thread ids are table-driven on the calls that need one (`getTuple`
// and `list` read every thread or none when it is missing, as LangGraph's contract says).
// Payloads are not: LangGraph's serializer stores Dates, Maps and undefined, so the saver's
// own value checks are the extra cases below (and strict-input.test.ts).
import { connectTopology, forEachTopology } from '@x/tooling/vitest';
import { describeBadInput, type EntryPoint } from '@x/tooling/bad-input';
import { LIST_OPTIONS, MAX_TTL_MS, PRUNE_OPTIONS, REDIS_SAVER_OPTIONS, RedisSaver, ShallowRedisSaver } from '../src/index.js';
import { checkpoint, meta, toArray } from './fixtures.js';
import { dropPrefix } from './helpers.js';

interface Subject {
  readonly saver: RedisSaver;
  readonly client: { close(): Promise<unknown> };
}

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
  {
    name: 'put',
    call: (s, a) => s.saver.put(cfg(a.id as string), checkpoint({ a: 1 }), meta(0), { a: 1 }),
    valid: { id: 't' },
    takesId: true,
  },
  {
    name: 'putWrites',
    call: (s, a) => s.saver.putWrites(cfg(a.id as string, { checkpoint_id: 'cp' }), [['a', 1]], 'task'),
    valid: { id: 't' },
    takesId: true,
  },
  { name: 'deleteThread', call: (s, a) => s.saver.deleteThread(a.id as string), valid: { id: 'other' }, takesId: true },
  {
    name: 'prune',
    call: (s, a) => s.saver.prune(['other'], a.options as never),
    valid: { options: { keepLast: 1 } },
    options: { accepted: PRUNE_OPTIONS, numbers: { keepLast: { min: 0, max: Number.MAX_SAFE_INTEGER } }, required: true },
  },
];

const saverCase = (Saver: typeof RedisSaver) => ({
  name: `new ${Saver.name}`,
  make: (options: Record<string, unknown>) => new Saver('redis://127.0.0.1:1', options as never),
  dispose: (made: unknown) => (made as RedisSaver).close(),
  valid: {},
  accepted: REDIS_SAVER_OPTIONS,
  numbers: {
    ttlMs: { min: 0, max: MAX_TTL_MS },
    listPageSize: { min: 1, max: 100_000 },
    listScanBudget: { min: 1, max: 1_000_000 },
    maxIdBytes: { min: 1, max: 65_536 },
  },
});

forEachTopology(['standalone', 'cluster'], (t) => {
  describeBadInput<Subject>({
    name: `RedisSaver (${t.kind})`,
    open: async (prefix) => {
      const client = await connectTopology(t);
      return { client: client as never, saver: new RedisSaver(client as never, { prefix }) };
    },
    close: async (s) => {
      await dropPrefix(s.saver.redis, s.saver.keys.keyspace.prefix);
      await s.saver.close();
      await s.client.close();
    },
    commands: (s) => s.saver.redis.stats.commands,
    entryPoints,
    closedName: 'RedisSaver is closed',
    closedCodes: ['ERR_CLOSED'],
    constructors: [saverCase(RedisSaver), saverCase(ShallowRedisSaver)],
    extra: [
      { name: 'the renamed ttl option', run: (s) => new RedisSaver(s.saver.redis, { ttl: { defaultTtlMs: 1 } } as never), code: 'ERR_UNKNOWN_OPTION', message: /"ttl" is no longer an option, use "ttlMs"/ },
      { name: 'the renamed defaultTtlMs option', run: (s) => new RedisSaver(s.saver.redis, { defaultTtlMs: 1 } as never), code: 'ERR_UNKNOWN_OPTION', message: /use "ttlMs"/ },
      { name: 'retry as a string', run: (s) => new RedisSaver(s.saver.redis, { retry: 'yes' as never }), code: 'ERR_INVALID_ARGUMENT', message: /retry must be true, false or/ },
      { name: 'retry with 0 attempts', run: (s) => new RedisSaver(s.saver.redis, { retry: { attempts: 0 } }), code: 'ERR_INVALID_ARGUMENT', message: /retry\.attempts/ },
      { name: 'retry with a misspelt key', run: (s) => new RedisSaver(s.saver.redis, { retry: { attempt: 3 } as never }), code: 'ERR_UNKNOWN_OPTION', message: /attempts/ },
      { name: 'durability without replicas', run: (s) => new RedisSaver(s.saver.redis, { durability: {} as never }), code: 'ERR_INVALID_ARGUMENT', message: /durability\.replicas is required/ },
      { name: 'durability with 0 replicas', run: (s) => new RedisSaver(s.saver.redis, { durability: { replicas: 0 } }), code: 'ERR_INVALID_ARGUMENT', message: /durability\.replicas/ },
      { name: 'durability with timeoutMs 0 (WAIT would block forever)', run: (s) => new RedisSaver(s.saver.redis, { durability: { replicas: 1, timeoutMs: 0 } }), code: 'ERR_INVALID_ARGUMENT', message: /durability\.timeoutMs/ },
      { name: 'refreshOnRead as a string', run: (s) => new RedisSaver(s.saver.redis, { refreshOnRead: 'yes' as never }), code: 'ERR_INVALID_ARGUMENT', message: /"yes" \(a string\)/ },
      { name: 'the single-object form { redis, ... }', run: (s) => new RedisSaver({ redis: s.saver.redis, prefix: 'p' } as never), code: 'ERR_INVALID_ARGUMENT', message: /new RedisSaver\(redis, \{ prefix, ttlMs, \.\.\. \}\)/ },
      { name: 'redis inside the options', run: (s) => new RedisSaver(s.saver.redis, { redis: s.saver.redis } as never), code: 'ERR_INVALID_ARGUMENT', message: /first argument/ },
      { name: 'no connection target', run: () => new RedisSaver(undefined as never), code: 'ERR_INVALID_ARGUMENT', message: /first argument/ },
      { name: 'options in place of the connection', run: () => new RedisSaver({ prefix: 'p', ttlMs: 5 } as never), code: 'ERR_INVALID_ARGUMENT', message: /connection first/ },
      { name: 'fromUrl with a host:port string', run: () => RedisSaver.fromUrl('localhost:6379'), code: 'ERR_INVALID_ARGUMENT', message: /redis:\/\// },
      { name: 'a numeric thread_id (no coercion)', run: (s) => s.saver.getTuple({ configurable: { thread_id: 7 } }), code: 'ERR_INVALID_ARGUMENT', message: /7 \(a number\)/ },
      { name: 'a numeric thread_id on list', run: (s) => toArray(s.saver.list({ configurable: { thread_id: 7 } })), code: 'ERR_INVALID_ARGUMENT', message: /\(a number\)/ },
      { name: 'prune with a numeric thread id', run: (s) => s.saver.prune([7 as never], { keepLast: 1 }), code: 'ERR_INVALID_ARGUMENT', message: /\(a number\)/ },
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
