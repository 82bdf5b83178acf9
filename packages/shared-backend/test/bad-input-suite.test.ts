// The shared bad-input suite (@x/tooling/bad-input) against the public entry points of
// RedisBackend and ContextBuffer (standalone and cluster, each connected from a URL, a
// cluster node's URL on the cluster), of InMemoryBackend and ThreadRegistry, and of
// ProcessSharedBackend talking to a SharedBackendHost over its socket.
import { forEachTopology } from '@x/tooling/vitest';
import { describeBadInput, type EntryPoint } from '@x/tooling/bad-input';
import {
  ContextBuffer,
  InMemoryBackend,
  MAX_INDEX_BUCKETS,
  MAX_TTL_MS,
  ProcessSharedBackend,
  RedisBackend,
  SharedBackendHost,
  ThreadRegistry,
  type SharedBackend,
} from '../src/index.js';
import { OPTION_KEYS } from '../src/validate.js';

const LIMIT = 4096; // slot and value limit of the subjects, so "over the limit" stays small
const ms = { min: 0, max: MAX_TTL_MS };
const limits = { maxIdBytes: { min: 1, max: 65_536 }, maxSlotBytes: { min: 1, max: 512 * 1024 * 1024 } };

/** The SharedBackend protocol's entry points, for any backend. */
function backendEntryPoints<S extends SharedBackend>(): EntryPoint<S>[] {
  return [
    { name: 'bufferAppend', call: (s, a) => s.bufferAppend(a.id as string, a.payload as never), valid: { id: 'thread', payload: 'slot' }, takesId: true, payload: 'bytes' },
    { name: 'bufferGetThread', call: (s, a) => s.bufferGetThread(a.id as string), valid: { id: 'thread' }, takesId: true },
    { name: 'bufferGetSlot', call: (s, a) => s.bufferGetSlot(a.id as string, 0), valid: { id: 'thread' }, takesId: true },
    { name: 'bufferThreadLength', call: (s, a) => s.bufferThreadLength(a.id as string), valid: { id: 'thread' }, takesId: true },
    { name: 'bufferThreadExists', call: (s, a) => s.bufferThreadExists(a.id as string), valid: { id: 'thread' }, takesId: true },
    { name: 'bufferDeleteThread', call: (s, a) => s.bufferDeleteThread(a.id as string), valid: { id: 'gone' }, takesId: true },
    { name: 'registrySet (chain)', call: (s, a) => s.registrySet(a.id as string, 'uuid-fixed'), valid: { id: 'chain' }, takesId: true },
    { name: 'registrySet (uuid)', call: (s, a) => s.registrySet('chain-fixed', a.id as string), valid: { id: 'uuid' }, takesId: true },
    { name: 'registryGetUuid', call: (s, a) => s.registryGetUuid(a.id as string), valid: { id: 'chain' }, takesId: true },
    { name: 'registryGetChain', call: (s, a) => s.registryGetChain(a.id as string), valid: { id: 'uuid' }, takesId: true },
    { name: 'registryDelete', call: (s, a) => s.registryDelete(a.id as string), valid: { id: 'uuid-gone' }, takesId: true },
  ];
}

const backendNamespace = {
  write: (s: SharedBackend, id: string) => s.bufferAppend(id, 'x'),
  has: (s: SharedBackend, id: string) => s.bufferThreadExists(id),
  list: async (s: SharedBackend) => {
    const ids: string[] = [];
    for await (const id of s.bufferListThreads()) ids.push(id);
    return ids;
  },
  clear: (s: SharedBackend) => s.bufferClear(),
};

const backendConstructor = {
  name: 'new RedisBackend(url, options)',
  make: (options: Record<string, unknown>) => new RedisBackend('redis://127.0.0.1:1', options),
  dispose: (made: unknown) => (made as RedisBackend).close(),
  valid: { prefix: 'p' },
  accepted: OPTION_KEYS.redisBackend,
  numbers: { ttlMs: ms, indexBuckets: { min: 1, max: MAX_INDEX_BUCKETS }, scanCount: { min: 1, max: 100_000 }, ...limits },
};

forEachTopology(['standalone', 'cluster'], (t) => {
  // A URL on both: on the cluster, the URL of one node (the backend finds the cluster from it).
  const url = t.kind === 'standalone' ? t.url : t.rootNodes[0]!.url;

  describeBadInput<RedisBackend>({
    name: `RedisBackend (${t.kind}, from a URL)`,
    open: (prefix) => new RedisBackend(url, { prefix, maxSlotBytes: LIMIT }),
    close: (b) => b.close(),
    commands: (b) => b.redis.stats.commands,
    entryPoints: backendEntryPoints<RedisBackend>(),
    payloadLimitBytes: LIMIT,
    closedName: 'RedisBackend',
    constructors: [backendConstructor],
    extra: [
      { name: 'a connection in the options as well', run: () => new RedisBackend(url, { redis: url } as never), code: 'ERR_INVALID_ARGUMENT', message: /first argument/ },
      { name: 'the old single-object form { redis, ... }', run: () => new RedisBackend({ redis: url, prefix: 'p' } as never), code: 'ERR_INVALID_ARGUMENT', message: /new RedisBackend\(redis, \{ prefix, ttlMs, \.\.\. \}\)/ },
      { name: 'the old single-object form { url, ... }', run: () => new RedisBackend({ url, prefix: 'p' } as never), code: 'ERR_INVALID_ARGUMENT', message: /new RedisBackend\(url, \{ prefix, ttlMs, \.\.\. \}\)/ },
      { name: 'no connection at all', run: () => new RedisBackend({ prefix: 'p' } as never), code: 'ERR_INVALID_ARGUMENT', message: /connection first/ },
      { name: 'no connection target', run: () => new RedisBackend(undefined as never), code: 'ERR_INVALID_ARGUMENT', message: /first argument/ },
      { name: 'a host/port object', run: () => new RedisBackend({ host: 'h', port: 1 } as never), code: 'ERR_INVALID_ARGUMENT', message: /socket: \{ host, port \}/ },
      { name: 'a negative slot index', run: (b) => b.bufferGetSlot('thread', 1.5), code: 'ERR_INVALID_ARGUMENT' },
    ],
    namespace: backendNamespace,
  });

  describeBadInput<ContextBuffer>({
    name: `ContextBuffer over RedisBackend (${t.kind})`,
    open: (prefix) => new ContextBuffer({ backend: new RedisBackend(url, { prefix }), maxValueBytes: LIMIT }),
    close: async (buffer) => {
      await buffer.close();
      await buffer.backend.close();
    },
    commands: (buffer) => (buffer.backend as RedisBackend).redis.stats.commands,
    entryPoints: [
      { name: 'append', call: (b, a) => b.append(a.id as string, a.payload), valid: { id: 'thread', payload: { role: 'user', text: 'hi' } }, takesId: true, payload: 'json' },
      { name: 'get', call: (b, a) => b.get(a.id as string), valid: { id: 'thread' }, takesId: true },
      { name: 'at', call: (b, a) => b.at(a.id as string, -1), valid: { id: 'thread' }, takesId: true },
      { name: 'length', call: (b, a) => b.length(a.id as string), valid: { id: 'thread' }, takesId: true },
      { name: 'has', call: (b, a) => b.has(a.id as string), valid: { id: 'thread' }, takesId: true },
      { name: 'delete', call: (b, a) => b.delete(a.id as string), valid: { id: 'gone' }, takesId: true },
    ],
    payloadLimitBytes: LIMIT,
    closedName: 'ContextBuffer',
    extra: [
      {
        name: 'a backend passed in the place of the options',
        run: (b) => new ContextBuffer(b.backend as never),
        code: 'ERR_INVALID_ARGUMENT',
        message: /new ContextBuffer\(\{ backend \}\)/,
      },
      { name: 'a misspelled backend option', run: (b) => new ContextBuffer({ backnd: b.backend } as never), code: 'ERR_UNKNOWN_OPTION', message: /"backend"/ },
    ],
  });
});

describeBadInput<InMemoryBackend>({
  name: 'InMemoryBackend',
  open: () => new InMemoryBackend({ maxSlotBytes: LIMIT }),
  close: (b) => b.close(),
  entryPoints: backendEntryPoints<InMemoryBackend>(),
  payloadLimitBytes: LIMIT,
  closedName: 'InMemoryBackend',
  constructors: [
    {
      name: 'new InMemoryBackend',
      make: (options) => new InMemoryBackend(options),
      dispose: (made) => (made as InMemoryBackend).close(),
      valid: {},
      accepted: OPTION_KEYS.memory,
      numbers: { ttlMs: ms, sweepIntervalMs: { min: 1, max: Number.MAX_SAFE_INTEGER }, ...limits },
    },
  ],
});

describeBadInput<ThreadRegistry>({
  name: 'ThreadRegistry (in memory)',
  open: () => new ThreadRegistry(),
  close: (r) => r.close(),
  entryPoints: [
    { name: 'set', call: (r, a) => r.set(a.id as string, 'uuid'), valid: { id: 'chain' }, takesId: true },
    { name: 'uuidOf', call: (r, a) => r.uuidOf(a.id as string), valid: { id: 'chain' }, takesId: true },
    { name: 'chainOf', call: (r, a) => r.chainOf(a.id as string), valid: { id: 'uuid' }, takesId: true },
    { name: 'delete', call: (r, a) => r.delete(a.id as string), valid: { id: 'uuid' }, takesId: true },
  ],
  closedName: 'ThreadRegistry',
  extra: [{ name: 'a backend in the place of the options', run: () => new ThreadRegistry(new InMemoryBackend() as never), code: 'ERR_INVALID_ARGUMENT' }],
});

/** A host (in-memory backend) and one client of it. */
interface ProcessSubject {
  readonly host: SharedBackendHost;
  readonly client: ProcessSharedBackend;
}

const frameBytes = { min: 1, max: 0xffff_ffff };

describeBadInput<ProcessSubject>({
  name: 'ProcessSharedBackend (over a SharedBackendHost socket)',
  open: async () => {
    const host = await SharedBackendHost.start({ backend: new InMemoryBackend({ maxSlotBytes: LIMIT }), closeBackend: true });
    return { host, client: new ProcessSharedBackend({ ...host.address, maxSlotBytes: LIMIT }) };
  },
  close: async (s) => {
    await s.client.close();
    await s.host.close();
  },
  entryPoints: backendEntryPoints<ProcessSharedBackend>().map((entry) => ({ ...entry, call: (s: ProcessSubject, a) => entry.call(s.client, a) })),
  payloadLimitBytes: LIMIT,
  closedName: 'ProcessSharedBackend',
  constructors: [
    {
      name: 'new ProcessSharedBackend',
      make: (options) => new ProcessSharedBackend(options as never),
      dispose: (made) => (made as ProcessSharedBackend).close(),
      valid: { socketPath: '/nonexistent/x.sock', token: 't'.repeat(32) },
      accepted: OPTION_KEYS.processClient,
      numbers: {
        connectTimeoutMs: { min: 1, max: Number.MAX_SAFE_INTEGER },
        maxFrameBytes: frameBytes,
        listBatchSize: { min: 1, max: 10_000 },
        ...limits,
      },
    },
    {
      name: 'SharedBackendHost.start',
      make: (options) => SharedBackendHost.start(options),
      dispose: (made) => (made as SharedBackendHost).close(),
      valid: {},
      accepted: OPTION_KEYS.host,
      numbers: {
        ttlMs: ms,
        maxFrameBytes: frameBytes,
        handshakeTimeoutMs: { min: 1, max: Number.MAX_SAFE_INTEGER },
        maxOpenListings: { min: 1, max: Number.MAX_SAFE_INTEGER },
      },
    },
  ],
  extra: [
    { name: 'a client without options', run: () => new ProcessSharedBackend(undefined as never), code: 'ERR_INVALID_ARGUMENT', message: /socketPath and token/ },
    { name: 'a client with an empty token', run: (s) => new ProcessSharedBackend({ socketPath: s.host.socketPath, token: '' }), code: 'ERR_INVALID_ARGUMENT', message: /token/ },
    { name: 'a client with a numeric socketPath', run: () => new ProcessSharedBackend({ socketPath: 7 as never, token: 't'.repeat(32) }), code: 'ERR_INVALID_ARGUMENT', message: /socketPath/ },
    { name: 'fromEnv without the variables', run: () => ProcessSharedBackend.fromEnv({}), code: 'ERR_INVALID_ARGUMENT', message: /X_SHARED_BACKEND_SOCKET/ },
    { name: 'fromEnv with a misspelled option', run: (s) => ProcessSharedBackend.fromEnv(s.host.env, { listBatchSzie: 5 } as never), code: 'ERR_UNKNOWN_OPTION', message: /"listBatchSize"/ },
    { name: 'a host with a short token', run: () => SharedBackendHost.start({ token: 'short' }), code: 'ERR_INVALID_ARGUMENT', message: /16 characters/ },
    { name: "a host with closeBackend: 'yes'", run: () => SharedBackendHost.start({ closeBackend: 'yes' as never }), code: 'ERR_INVALID_ARGUMENT', message: /"yes" \(a string\)/ },
    { name: 'a host with a numeric backend', run: () => SharedBackendHost.start({ backend: 5 as never }), code: 'ERR_INVALID_ARGUMENT', message: /SharedBackend/ },
    { name: 'a negative slot index over the socket', run: (s) => s.client.bufferGetSlot('thread', 1.5), code: 'ERR_INVALID_ARGUMENT' },
  ],
});
