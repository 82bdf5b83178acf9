// The shared bad-input suite (@x/tooling/bad-input) against every public entry point of
// AtomicOperations, on a standalone server and on a cluster.
import { forEachTopology, connectTopology } from '@x/tooling/vitest';
import { describeBadInput, type EntryPoint, type NumberOption } from '@x/tooling/bad-input';
import { AtomicOperations, MAX_COUNT, MAX_TTL_MS } from '../src/index.js';
import { OPTION_KEYS } from '../src/validate.js';

const LIMIT = 4096; // a payload limit of its own, so "over the limit" stays small
const ms: NumberOption = { min: 0, max: MAX_TTL_MS };
const count: NumberOption = { min: 0, max: MAX_COUNT };
const message = { role: 'user', content: 'hello' };
type Ops = AtomicOperations;

/** Spreads an input object under the id and payload, or passes a non-object as it is. */
const input = (options: unknown, fields: Record<string, unknown>) =>
  typeof options === 'object' && options !== null && !Array.isArray(options) ? { ...fields, ...options } : options;

const entryPoints: EntryPoint<Ops>[] = [
  {
    name: 'appendMessage',
    call: (s, a) => s.appendMessage(a.id as string, a.payload as never, a.options as never),
    valid: { id: 'session', payload: message, options: { ttlMs: 60_000 } },
    takesId: true,
    payload: 'json',
    options: { accepted: OPTION_KEYS.append, numbers: { maxMessages: count, ttlMs: ms } },
  },
  {
    name: 'appendMessages',
    call: (s, a) => s.appendMessages(a.id as string, [a.payload as never], a.options as never),
    valid: { id: 'session', payload: message, options: { maxMessages: 50 } },
    takesId: true,
    payload: 'json',
    options: { accepted: OPTION_KEYS.append, numbers: { maxMessages: count, ttlMs: ms } },
  },
  {
    name: 'recordResponse',
    call: (s, a) =>
      s.recordResponse(
        input(a.options, { sessionId: a.id, queryHash: 'q', response: a.payload, assistantMessage: { role: 'assistant', content: 'ok' } }) as never,
      ),
    valid: { id: 'session', payload: { answer: 42 }, options: { inputTokens: 3 } },
    takesId: true,
    payload: 'json',
    options: {
      accepted: OPTION_KEYS.recordResponse.filter((k) => !['sessionId', 'queryHash', 'response', 'assistantMessage'].includes(k)),
      numbers: {
        latencyMs: { min: 0, max: Number.MAX_VALUE, integer: false },
        inputTokens: { min: 0, max: Number.MAX_SAFE_INTEGER },
        outputTokens: { min: 0, max: Number.MAX_SAFE_INTEGER },
        cacheTtlMs: ms,
        maxMessages: count,
        ttlMs: ms,
      },
    },
  },
  {
    name: 'handoff',
    call: async (s, a) => {
      const r = await s.handoff(input(a.options, { sessionId: a.id, fromAgent: 'a', toAgent: 'b', context: a.payload }) as never);
      await s.releaseHandoffLock(a.id as string, r.token); // the next handoff must not meet this one's lock
      return r;
    },
    valid: { id: 'session', payload: { note: 'context' }, options: { checkCurrentAgent: false } },
    takesId: true,
    payload: 'json',
    options: { accepted: ['checkCurrentAgent', 'lockTtlMs', 'ttlMs'], numbers: { lockTtlMs: { min: 1, max: MAX_TTL_MS }, ttlMs: ms } },
  },
  {
    name: 'getMessages',
    call: (s, a) => s.getMessages(a.id as string, a.options as never),
    valid: { id: 'session', options: { last: 5 } },
    takesId: true,
    options: { accepted: OPTION_KEYS.read, numbers: { last: count } },
  },
  {
    name: 'getHandoffHistory',
    call: (s, a) => s.getHandoffHistory(a.id as string, a.options as never),
    valid: { id: 'session', options: { last: 5 } },
    takesId: true,
    options: { accepted: OPTION_KEYS.read, numbers: { last: count } },
  },
  {
    name: 'getCachedResponse',
    call: (s, a) => s.getCachedResponse(a.id as string, a.options as never),
    valid: { id: 'query-hash', options: { sessionId: 'session' } },
    takesId: true,
    options: { accepted: OPTION_KEYS.cache },
  },
  {
    name: 'invalidateCachedResponse',
    call: (s, a) => s.invalidateCachedResponse(a.id as string, a.options as never),
    valid: { id: 'query-hash', options: {} },
    takesId: true,
    options: { accepted: OPTION_KEYS.cache },
  },
  {
    name: 'popMessage',
    call: (s, a) => s.popMessage(a.id as string, a.options as never),
    valid: { id: 'session', options: { operationId: 'pop' } },
    takesId: true,
    options: { accepted: ['ttlMs', 'operationId'], numbers: { ttlMs: ms } },
  },
  { name: 'getSession', call: (s, a) => s.getSession(a.id as string), valid: { id: 'session' }, takesId: true },
  { name: 'deleteSession', call: (s, a) => s.deleteSession(a.id as string), valid: { id: 'other-session' }, takesId: true },
  { name: 'releaseHandoffLock', call: (s, a) => s.releaseHandoffLock(a.id as string, 'token'), valid: { id: 'session' }, takesId: true },
];

forEachTopology(['standalone', 'cluster'], (t) => {
  const clients: { close(): Promise<unknown> }[] = [];
  describeBadInput<Ops>({
    name: `AtomicOperations (${t.kind})`,
    open: async (prefix) => {
      const client = await connectTopology(t);
      clients.push(client as never);
      return new AtomicOperations(client as never, { prefix, maxMessageBytes: LIMIT });
    },
    close: async (ops) => {
      await ops.close();
      await clients.shift()?.close();
    },
    commands: (ops) => ops.redis.stats.commands,
    entryPoints,
    payloadLimitBytes: LIMIT,
    closedName: 'AtomicOperations',
    constructors: [
      {
        name: 'new AtomicOperations',
        make: (options) => new AtomicOperations('redis://127.0.0.1:1', options),
        dispose: (made) => (made as Ops).close(),
        valid: { prefix: 'p' },
        accepted: OPTION_KEYS.constructor,
        numbers: {
          ttlMs: ms,
          maxMessages: count,
          maxMessageBytes: { min: 1, max: 512 * 1024 * 1024 },
          maxIdBytes: { min: 1, max: 65_536 },
          cacheTtlMs: ms,
          lockTtlMs: { min: 1, max: MAX_TTL_MS },
          maxOperationIds: { min: 1, max: MAX_COUNT },
          maxHandoffHistory: count,
        },
      },
    ],
    extra: [
      { name: 'options in the place of the connection', run: () => new AtomicOperations({ prefix: 'p' } as never), code: 'ERR_INVALID_ARGUMENT', message: /connection first/ },
      { name: 'a host/port object as the connection', run: () => new AtomicOperations({ host: 'h', port: 1 } as never), code: 'ERR_INVALID_ARGUMENT', message: /redis:\/\/host:port/ },
      { name: 'a misspelled operationId (operationID)', run: (s) => s.appendMessage('session', message, { operationID: 'x' } as never), code: 'ERR_UNKNOWN_OPTION', message: /Did you mean "operationId"/ },
      { name: 'a recordResponse without input', run: (s) => s.recordResponse(undefined as never), code: 'ERR_INVALID_ARGUMENT' },
      { name: 'an empty batch', run: (s) => s.appendMessages('session', []), code: 'ERR_INVALID_ARGUMENT' },
      { name: 'retry of a wrong type', run: () => new AtomicOperations('redis://127.0.0.1:1', { retry: 'always' as never }), code: 'ERR_INVALID_ARGUMENT', message: /retry/ },
      { name: 'retry with an unknown key', run: () => new AtomicOperations('redis://127.0.0.1:1', { retry: { tries: 3 } as never }), code: 'ERR_UNKNOWN_OPTION', message: /attempts/ },
      { name: 'retry.attempts of 0', run: () => new AtomicOperations('redis://127.0.0.1:1', { retry: { attempts: 0 } }), code: 'ERR_INVALID_ARGUMENT', message: /retry\.attempts/ },
      { name: 'durability without replicas', run: () => new AtomicOperations('redis://127.0.0.1:1', { durability: {} as never }), code: 'ERR_INVALID_ARGUMENT', message: /durability\.replicas/ },
      { name: 'durability with an unknown key', run: () => new AtomicOperations('redis://127.0.0.1:1', { durability: { replicas: 1, timeout: 5 } as never }), code: 'ERR_UNKNOWN_OPTION', message: /timeoutMs/ },
      { name: 'durability.replicas as text', run: () => new AtomicOperations('redis://127.0.0.1:1', { durability: { replicas: '1' } as never }), code: 'ERR_INVALID_ARGUMENT', message: /durability\.replicas/ },
      { name: 'a message without a role', run: (s) => s.appendMessage('session', { content: 'x' } as never), code: 'ERR_INVALID_ARGUMENT' },
    ],
    namespace: {
      write: (s, id) => s.appendMessage(id, message),
      has: async (s, id) => (await s.getSession(id)) !== null,
    },
  });
});
