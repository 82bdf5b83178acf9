// The shared bad-input suite (@x/tooling/bad-input) against RedisChatMessageHistory, on a
// standalone server and on a cluster: the session id (given to the constructor), options,
// use after close and prefixes that look alike. Messages are LangChain messages, not the
// table's JSON payloads, so the values it refuses are the extra cases below.
import { HumanMessage } from '@langchain/core/messages';
import { connectTopology, forEachTopology } from '@x/tooling/vitest';
import { PerIdObjects, describeBadInput, type EntryPoint } from '@x/tooling/bad-input';
import { createRedisAdapter, type RedisAdapter } from '@x/redis-adapter';
import { MAX_COUNT, MAX_TTL_MS } from '@x/atomic-ops';
import { RedisChatMessageHistory } from '../src/index.js';
import { ACCEPTED } from '../src/options.js';
import { humanMessage } from '../src/testing.js';

const LIMIT = 4096; // maxMessageBytes of the subjects, so "over the limit" stays small

/** Histories (one per id) on one adapter under one prefix. */
class Subject {
  readonly histories: PerIdObjects<RedisChatMessageHistory>;
  constructor(
    readonly client: { close(): Promise<unknown> },
    readonly adapter: RedisAdapter,
    readonly prefix: string,
  ) {
    this.histories = new PerIdObjects(
      (id) => new RedisChatMessageHistory(adapter, { sessionId: id as string, prefix, maxMessageBytes: LIMIT }),
      (history) => history.clear(),
    );
  }
  history(id: unknown): RedisChatMessageHistory {
    return this.histories.get(id);
  }
  close(): Promise<void> {
    return this.histories.close();
  }
}

const entryPoints: EntryPoint<Subject>[] = [
  {
    name: 'addMessage',
    call: (s, a) => s.history(a.id).addMessage(humanMessage(1), a.options as never),
    valid: { id: 'sess', options: {} },
    takesId: true,
    options: { accepted: ['operationId'] },
  },
  {
    name: 'addMessages',
    call: (s, a) => s.history(a.id).addMessages([humanMessage(1), humanMessage(2)], a.options as never),
    valid: { id: 'sess', options: {} },
    takesId: true,
    options: { accepted: ['operationId'] },
  },
  { name: 'getMessages', call: (s, a) => s.history(a.id).getMessages(), valid: { id: 'sess' }, takesId: true },
  { name: 'clear', call: (s, a) => s.history(a.id).clear(), valid: { id: 'gone' }, takesId: true },
];

const cyclic: Record<string, unknown> = { a: 1 };
cyclic.self = cyclic;
const withKwargs = (kwargs: Record<string, unknown>) => new HumanMessage({ content: 'x', additional_kwargs: kwargs as never });

forEachTopology(['standalone', 'cluster'], (t) => {
  describeBadInput<Subject>({
    name: `RedisChatMessageHistory (${t.kind})`,
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
    closedName: 'RedisChatMessageHistory',
    constructors: [
      {
        name: 'new RedisChatMessageHistory(url, options)',
        make: (options) => new RedisChatMessageHistory('redis://127.0.0.1:1', options as never),
        dispose: (made) => (made as RedisChatMessageHistory).close(),
        valid: { sessionId: 's' },
        accepted: ACCEPTED,
        numbers: {
          maxMessages: { min: 0, max: MAX_COUNT },
          ttlMs: { min: 0, max: MAX_TTL_MS },
          maxMessageBytes: { min: 1, max: 512 * 1024 * 1024 },
        },
      },
    ],
    extra: [
      { name: 'the old sessionTTL option', run: () => new RedisChatMessageHistory('redis://127.0.0.1:1', { sessionId: 's', sessionTTL: 5 } as never), code: 'ERR_UNKNOWN_OPTION', message: /Accepted: sessionId, prefix, maxMessages, ttlMs/ },
      { name: 'no options (a sessionId is required)', run: () => new RedisChatMessageHistory('redis://127.0.0.1:1', undefined as never), code: 'ERR_INVALID_ARGUMENT', message: /sessionId/ },
      { name: 'options in the place of the connection', run: () => new RedisChatMessageHistory({ sessionId: 's', prefix: 'p' } as never, { sessionId: 's' }), code: 'ERR_INVALID_ARGUMENT', message: /connection first/ },
      { name: 'retry of a wrong type', run: () => new RedisChatMessageHistory('redis://127.0.0.1:1', { sessionId: 's', retry: 'on' as never }), code: 'ERR_INVALID_ARGUMENT', message: /retry/ },
      { name: 'retry with an unknown key', run: () => new RedisChatMessageHistory('redis://127.0.0.1:1', { sessionId: 's', retry: { tries: 3 } as never }), code: 'ERR_UNKNOWN_OPTION', message: /attempts/ },
      { name: 'durability without replicas', run: () => new RedisChatMessageHistory('redis://127.0.0.1:1', { sessionId: 's', durability: {} as never }), code: 'ERR_INVALID_ARGUMENT', message: /durability\.replicas/ },
      { name: 'durability.timeoutMs of 0', run: () => new RedisChatMessageHistory('redis://127.0.0.1:1', { sessionId: 's', durability: { replicas: 1, timeoutMs: 0 } }), code: 'ERR_INVALID_ARGUMENT', message: /durability\.timeoutMs/ },
      { name: 'an operationId of a wrong type', run: (s) => s.history('sess').addMessage(humanMessage(1), { operationId: 1 } as never), code: 'ERR_INVALID_ARGUMENT', message: /operationId/ },
      { name: 'addMessages with a non-array', run: (s) => s.history('sess').addMessages('messages' as never), code: 'ERR_INVALID_ARGUMENT' },
      { name: 'a plain object instead of a message', run: (s) => s.history('sess').addMessages([{ role: 'user', content: 'x' }] as never), code: 'ERR_INVALID_ARGUMENT', message: /LangChain message/ },
      { name: 'a message holding a BigInt', run: (s) => s.history('sess').addMessage(withKwargs({ n: 1n })), code: 'ERR_NOT_SERIALIZABLE' },
      { name: 'a message holding a cycle', run: (s) => s.history('sess').addMessage(withKwargs({ c: cyclic })), code: 'ERR_NOT_SERIALIZABLE' },
      { name: 'a message holding a function', run: (s) => s.history('sess').addMessage(withKwargs({ f: () => 1 })), code: 'ERR_NOT_SERIALIZABLE' },
      { name: 'a message holding NaN', run: (s) => s.history('sess').addMessage(withKwargs({ v: Number.NaN })), code: 'ERR_NOT_SERIALIZABLE' },
      { name: 'a message one byte over maxMessageBytes', run: (s) => s.history('sess').addMessage(new HumanMessage('x'.repeat(LIMIT))), code: 'ERR_TOO_LARGE' },
      { name: 'a 20 MB message', run: (s) => s.history('sess').addMessage(new HumanMessage('x'.repeat(20_000_000))), code: 'ERR_TOO_LARGE' },
    ],
    namespace: {
      write: (s, id) => s.history(id).addMessage(humanMessage(id)),
      has: async (s, id) => (await s.history(id).getMessages()).length > 0,
    },
  });
});
