// The shared bad-input suite (@x/tooling/bad-input) against the store's entry points,
// on a standalone server and on a cluster, plus the store's own refusals.
import { connectTopology, forEachTopology } from '@x/tooling/vitest';
import { describeBadInput, type EntryPoint, type NumberOption } from '@x/tooling/bad-input';
import {
  GET_OPTIONS,
  LIST_NAMESPACES_OPTIONS,
  PUT_OPTIONS,
  REDIS_STORE_OPTIONS,
  RedisStore,
  SEARCH_OPTIONS,
} from '../src/index.js';
import { WordHashEmbeddings } from '../src/testing/index.js';
import { dropPrefix } from './helpers.js';

interface Subject {
  readonly store: RedisStore;
  /** The caller-owned client the store uses (its close() leaves it open). */
  readonly client: { close(): Promise<unknown> };
}

const count: NumberOption = { min: 0, max: Number.MAX_SAFE_INTEGER };
const NS = ['users', 'u1'];

const entryPoints: EntryPoint<Subject>[] = [
  {
    name: 'get',
    call: (s, a) => s.store.get(NS, a.id as string, a.options as never),
    takesId: true,
    valid: { id: 'k', options: { refreshTtl: true } },
    options: { accepted: GET_OPTIONS },
  },
  {
    name: 'put',
    call: (s, a) => s.store.put(NS, a.id as string, a.payload as never, undefined, a.options as never),
    takesId: true,
    payload: 'json',
    valid: { id: 'k', payload: { text: 'likes tea' }, options: { ttlMs: 60_000 } },
    options: { accepted: PUT_OPTIONS, numbers: { ttlMs: count } },
  },
  { name: 'delete', call: (s, a) => s.store.delete(NS, a.id as string), takesId: true, valid: { id: 'k' } },
  {
    name: 'search',
    call: (s, a) => s.store.search(NS, a.options as never),
    valid: { options: { limit: 5, offset: 0, filter: { a: 1 } } },
    options: { accepted: SEARCH_OPTIONS, numbers: { limit: count, offset: count } },
  },
  {
    name: 'listNamespaces',
    call: (s, a) => s.store.listNamespaces(a.options as never),
    valid: { options: { prefix: ['users'], limit: 5 } },
    options: { accepted: LIST_NAMESPACES_OPTIONS, numbers: { limit: count, offset: count, maxDepth: count } },
  },
];

const positive = (max: number): NumberOption => ({ min: 1, max });
const embeddings = new WordHashEmbeddings(8);

forEachTopology(['standalone', 'cluster'], (t) => {
  describeBadInput<Subject>({
    name: `RedisStore (${t.kind})`,
    open: async (prefix) => {
      const client = await connectTopology(t);
      return { client: client as never, store: new RedisStore(client as never, { prefix }) };
    },
    close: async (s) => {
      await dropPrefix(s.store.redis, s.store.keys.keyspace.prefix);
      await s.store.close();
      await s.client.close();
    },
    commands: (s) => s.store.redis.stats.commands,
    entryPoints,
    closedName: 'RedisStore',
    closedCodes: ['ERR_CLOSED'],
    constructors: [
      {
        name: 'new RedisStore',
        make: (options) => new RedisStore('redis://127.0.0.1:1', options as never),
        dispose: (made) => (made as RedisStore).close(),
        valid: {},
        accepted: REDIS_STORE_OPTIONS,
        numbers: {
          ttlMs: { min: 0, max: Number.MAX_SAFE_INTEGER },
          shardDepth: positive(64),
          searchScanLimit: positive(10_000_000),
          maxCandidates: positive(100_000),
          maxValueBytes: { min: 2, max: 512 * 1024 * 1024 },
          maxIdBytes: positive(65_536),
          purgeBudget: positive(100_000),
        },
      },
    ],
    extra: [
      { name: 'a namespace label with a period (batch)', run: (s) => s.store.batch([{ namespace: ['a.b'], key: 'k' }]), code: 'ERR_INVALID_ARGUMENT' },
      { name: 'a namespace label with a colon (batch)', run: (s) => s.store.batch([{ namespace: ['a:b'], key: 'k', value: { a: 1 } }]), code: 'ERR_INVALID_ARGUMENT' },
      { name: 'an empty namespace in a put (batch)', run: (s) => s.store.batch([{ namespace: [], key: 'k', value: { a: 1 } }]), code: 'ERR_INVALID_ARGUMENT' },
      { name: 'a namespace label over 1024 bytes', run: (s) => s.store.search(['x'.repeat(1025)]), code: 'ERR_TOO_LARGE' },
      { name: 'a value that is an array', run: (s) => s.store.put(NS, 'k', [1, 2] as never), code: 'ERR_INVALID_ARGUMENT' },
      { name: 'a value that is a string', run: (s) => s.store.put(NS, 'k', 'text' as never), code: 'ERR_INVALID_ARGUMENT' },
      { name: 'a filter holding a BigInt', run: (s) => s.store.search(NS, { filter: { n: 1n } }), code: 'ERR_NOT_SERIALIZABLE' },
      { name: 'a filter that is an array', run: (s) => s.store.search(NS, { filter: [1] as never }), code: 'ERR_INVALID_ARGUMENT' },
      { name: 'a query that is a number', run: (s) => s.store.search(NS, { query: 5 as never }), code: 'ERR_INVALID_ARGUMENT' },
      { name: 'a match condition of another type', run: (s) => s.store.batch([{ matchConditions: [{ matchType: 'infix' as never, path: ['a'] }], limit: 1, offset: 0 }]), code: 'ERR_INVALID_ARGUMENT' },
      { name: 'an operation of no known kind', run: (s) => s.store.batch([{ what: 1 } as never]), code: 'ERR_INVALID_ARGUMENT' },
      { name: 'the renamed ttl option', run: (s) => new RedisStore(s.store.redis, { ttl: { defaultTtlMs: 1 } } as never), code: 'ERR_UNKNOWN_OPTION', message: /"ttl" is no longer an option, use "ttlMs"/ },
      { name: 'the renamed defaultTtlMs option', run: (s) => new RedisStore(s.store.redis, { defaultTtlMs: 1 } as never), code: 'ERR_UNKNOWN_OPTION', message: /use "ttlMs"/ },
      { name: 'retry as a string', run: (s) => new RedisStore(s.store.redis, { retry: 'yes' as never }), code: 'ERR_INVALID_ARGUMENT', message: /retry must be true, false or/ },
      { name: 'retry with 0 attempts', run: (s) => new RedisStore(s.store.redis, { retry: { attempts: 0 } }), code: 'ERR_INVALID_ARGUMENT', message: /retry\.attempts/ },
      { name: 'retry with a misspelt key', run: (s) => new RedisStore(s.store.redis, { retry: { attempt: 3 } as never }), code: 'ERR_UNKNOWN_OPTION', message: /attempts/ },
      { name: 'durability without replicas', run: (s) => new RedisStore(s.store.redis, { durability: {} as never }), code: 'ERR_INVALID_ARGUMENT', message: /durability\.replicas is required/ },
      { name: 'durability with 0 replicas', run: (s) => new RedisStore(s.store.redis, { durability: { replicas: 0 } }), code: 'ERR_INVALID_ARGUMENT', message: /durability\.replicas/ },
      { name: 'durability with timeoutMs 0 (WAIT would block forever)', run: (s) => new RedisStore(s.store.redis, { durability: { replicas: 1, timeoutMs: 0 } }), code: 'ERR_INVALID_ARGUMENT', message: /durability\.timeoutMs/ },
      { name: 'refreshOnRead as a string', run: (s) => new RedisStore(s.store.redis, { refreshOnRead: 'yes' as never }), code: 'ERR_INVALID_ARGUMENT', message: /"yes" \(a string\)/ },
      { name: 'the single-object form { redis, ... }', run: (s) => new RedisStore({ redis: s.store.redis, prefix: 'p' } as never), code: 'ERR_INVALID_ARGUMENT', message: /new RedisStore\(redis, \{ prefix, ttlMs, \.\.\. \}\)/ },
      { name: 'redis inside the options', run: (s) => new RedisStore(s.store.redis, { redis: s.store.redis } as never), code: 'ERR_INVALID_ARGUMENT', message: /first argument/ },
      { name: 'no connection target', run: () => new RedisStore(undefined as never), code: 'ERR_INVALID_ARGUMENT', message: /first argument/ },
      { name: 'index without embeddings', run: (s) => new RedisStore(s.store.redis, { index: { dims: 3 } as never }), code: 'ERR_INVALID_ARGUMENT' },
      { name: 'index with dims 0', run: (s) => new RedisStore(s.store.redis, { index: { dims: 0, embeddings: embeddings as never } }), code: 'ERR_INVALID_ARGUMENT' },
      { name: 'a misspelled index option', run: (s) => new RedisStore(s.store.redis, { index: { dims: 8, embeddings: embeddings as never, field: ['a'] } as never }), code: 'ERR_UNKNOWN_OPTION', message: /"fields"/ },
      {
        name: 'embeddings that return vectors of the wrong length',
        run: (s) => new RedisStore(s.store.redis, { prefix: 'dims', index: { dims: 9, embeddings: embeddings as never } }).put(NS, 'k', { a: 'b' }),
        code: 'ERR_STORE_EMBEDDING',
      },
    ],
    namespace: {
      write: (s, id) => s.store.put(NS, id, { a: 1 }),
      has: async (s, id) => (await s.store.get(NS, id)) !== null,
      list: async (s) => (await s.store.search([], { limit: 1000 })).map((item) => item.key),
    },
  });
});
