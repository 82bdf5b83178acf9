// The shared bad-input suite (@x/tooling/bad-input) against RedisSession, on a standalone
// server and on a cluster: the session id (given to the constructor), options, use after
// close and prefixes that look alike. Items are not the table's JSON payloads: a session
// stores undefined, NaN and bytes exactly (README, "What an item may hold"), so the values
// it refuses are the extra cases below. A missing sessionId means a random one (documented):
// `undefinedId` makes the table expect acceptance there.
import { connectTopology, forEachTopology } from '@x/tooling/vitest';
import { PerIdObjects, describeBadInput, type EntryPoint } from '@x/tooling/bad-input';
import { createRedisAdapter, type RedisAdapter } from '@x/redis-adapter';
import { MAX_COUNT, MAX_TTL_MS } from '@x/atomic-ops';
import { RedisSession } from '../src/index.js';
import { ACCEPTED } from '../src/options.js';
import { userItem } from '../src/testing.js';

const LIMIT = 4096; // maxItemBytes of the subjects, so "over the limit" stays small
const RANDOM = 'a random session id';
const cyclic: Record<string, unknown> = { type: 'message', role: 'user', content: 'x' };
cyclic.self = cyclic;

/** Sessions (one per id) on one adapter under one prefix. */
class Subject {
  readonly sessions: PerIdObjects<RedisSession>;
  constructor(
    readonly client: { close(): Promise<unknown> },
    readonly adapter: RedisAdapter,
    readonly prefix: string,
  ) {
    this.sessions = new PerIdObjects(
      (id) => new RedisSession(adapter, { sessionId: id as string, prefix, maxItemBytes: LIMIT }),
      (session) => session.clearSession(),
    );
  }
  session(id: unknown): RedisSession {
    return this.sessions.get(id);
  }
  close(): Promise<void> {
    return this.sessions.close();
  }
}

const entryPoints: EntryPoint<Subject>[] = [
  {
    name: 'addItems',
    call: (s, a) => s.session(a.id).addItems([userItem(1)], a.options as never),
    valid: { id: 'sess', options: {} },
    takesId: true,
    undefinedId: RANDOM,
    options: { accepted: ['operationId'] },
  },
  { name: 'getItems', call: (s, a) => s.session(a.id).getItems(), valid: { id: 'sess' }, takesId: true, undefinedId: RANDOM },
  {
    name: 'popItem',
    call: (s, a) => s.session(a.id).popItem(a.options as never),
    valid: { id: 'sess', options: {} },
    takesId: true,
    undefinedId: RANDOM,
    options: { accepted: ['operationId'] },
  },
  { name: 'clearSession', call: (s, a) => s.session(a.id).clearSession(), valid: { id: 'gone' }, takesId: true, undefinedId: RANDOM },
  {
    name: 'replaceHistoryWithCompaction',
    call: (s, a) => s.session(a.id).replaceHistoryWithCompaction([userItem(2)], a.options as never),
    valid: { id: 'compacted', options: {} },
    takesId: true,
    undefinedId: RANDOM,
    options: { accepted: ['operationId'] },
  },
];

forEachTopology(['standalone', 'cluster'], (t) => {
  describeBadInput<Subject>({
    name: `RedisSession (${t.kind})`,
    open: async (prefix) => {
      const client = await connectTopology(t);
      return new Subject(client as never, createRedisAdapter(client as never), prefix);
    },
    close: async (s) => {
      await s.close();
      await s.adapter.close();
      await s.client.close();
    },
    commands: (s) => s.adapter.stats.commands,
    entryPoints,
    payloadLimitBytes: LIMIT,
    closedName: 'RedisSession',
    constructors: [
      {
        name: 'new RedisSession(url, options)',
        make: (options) => new RedisSession('redis://127.0.0.1:1', options as never),
        dispose: (made) => (made as RedisSession).close(),
        valid: {},
        accepted: ACCEPTED,
        numbers: {
          maxItems: { min: 0, max: MAX_COUNT },
          ttlMs: { min: 0, max: MAX_TTL_MS },
          maxItemBytes: { min: 1, max: 512 * 1024 * 1024 },
          maxOperationIds: { min: 1, max: MAX_COUNT },
        },
      },
    ],
    extra: [
      { name: 'the option of the LangChain history (maxMessages)', run: () => new RedisSession('redis://127.0.0.1:1', { maxMessages: 5 } as never), code: 'ERR_UNKNOWN_OPTION', message: /Accepted: sessionId, prefix, maxItems/ },
      { name: 'options in the place of the connection', run: () => new RedisSession({ sessionId: 's', prefix: 'p' } as never), code: 'ERR_INVALID_ARGUMENT', message: /connection first/ },
      { name: 'retry of a wrong type', run: () => new RedisSession('redis://127.0.0.1:1', { retry: 3 as never }), code: 'ERR_INVALID_ARGUMENT', message: /retry/ },
      { name: 'retry with an unknown key', run: () => new RedisSession('redis://127.0.0.1:1', { retry: { tries: 3 } as never }), code: 'ERR_UNKNOWN_OPTION', message: /attempts/ },
      { name: 'durability without replicas', run: () => new RedisSession('redis://127.0.0.1:1', { durability: {} as never }), code: 'ERR_INVALID_ARGUMENT', message: /durability\.replicas/ },
      { name: 'durability with an unknown key', run: () => new RedisSession('redis://127.0.0.1:1', { durability: { replicas: 1, waitMs: 5 } as never }), code: 'ERR_UNKNOWN_OPTION', message: /timeoutMs/ },
      { name: 'an operationId of a wrong type', run: (s) => s.session('sess').addItems([userItem(1)], { operationId: 1 } as never), code: 'ERR_INVALID_ARGUMENT', message: /operationId/ },
      { name: 'getItems with a fractional limit', run: (s) => s.session('sess').getItems(1.5), code: 'ERR_INVALID_ARGUMENT' },
      { name: 'addItems with a non-array', run: (s) => s.session('sess').addItems(userItem(1) as never), code: 'ERR_INVALID_ARGUMENT' },
      { name: 'an item holding a BigInt', run: (s) => s.session('sess').addItems([{ ...userItem(1), n: 1n } as never]), code: 'ERR_NOT_SERIALIZABLE', message: /bigint/ },
      { name: 'an item holding a cycle', run: (s) => s.session('sess').addItems([cyclic as never]), code: 'ERR_NOT_SERIALIZABLE', message: /cycle/ },
      { name: 'an item holding a function', run: (s) => s.session('sess').addItems([{ ...userItem(1), f: () => 1 } as never]), code: 'ERR_NOT_SERIALIZABLE' },
      { name: 'an item holding a Date', run: (s) => s.session('sess').addItems([{ ...userItem(1), at: new Date(0) } as never]), code: 'ERR_NOT_SERIALIZABLE', message: /Date/ },
      { name: 'an item holding a Map', run: (s) => s.session('sess').addItems([{ ...userItem(1), m: new Map() } as never]), code: 'ERR_NOT_SERIALIZABLE', message: /Map/ },
      { name: 'a compaction holding a BigInt', run: (s) => s.session('sess').replaceHistoryWithCompaction([{ ...userItem(1), n: 1n } as never]), code: 'ERR_NOT_SERIALIZABLE' },
      { name: 'an item one byte over maxItemBytes', run: (s) => s.session('sess').addItems([{ ...userItem(1), content: 'x'.repeat(LIMIT) } as never]), code: 'ERR_TOO_LARGE' },
      { name: 'a 20 MB item', run: (s) => s.session('sess').addItems([{ ...userItem(1), content: 'x'.repeat(20_000_000) } as never]), code: 'ERR_TOO_LARGE' },
    ],
    namespace: {
      write: (s, id) => s.session(id).addItems([userItem(id)]),
      has: async (s, id) => (await s.session(id).getItems()).length > 0,
    },
  });
});
