import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachTopology } from '@x/tooling/vitest';
import {
  AtomicOperations,
  InvalidArgumentError,
  MessageTooLargeError,
  NotSerializableError,
  UnknownOptionError,
  isInvalidArgumentError,
} from '../src/index.js';
import { closeAll, openOps, sessionId, snapshot, type Closable } from './helpers.js';

class Point {
  constructor(
    public x = 1,
    public y = 2,
  ) {}
}

const cyclic: Record<string, unknown> = { role: 'user' };
cyclic.self = cyclic;
const deepCycle: Record<string, unknown> = { role: 'user', a: { b: [{}] } };
((deepCycle.a as { b: Record<string, unknown>[] }).b[0] as Record<string, unknown>).back = deepCycle.a;
// eslint-disable-next-line no-sparse-arrays
const sparse = [1, , 3];
const withSymbol = { role: 'user', [Symbol('s')]: 1 };
const deep: Record<string, unknown> = { role: 'user' };
let cursor = deep;
for (let i = 0; i < 5000; i++) cursor = (cursor.next = {}) as Record<string, unknown>;
const throwingGetter = {
  role: 'user',
  get content(): string {
    throw new Error('boom');
  },
};

const LIMIT = 1024;

/** The stable code of each error class the cases expect. */
const CODES: Record<string, string> = {
  InvalidArgumentError: 'ERR_INVALID_ARGUMENT',
  NotSerializableError: 'ERR_NOT_SERIALIZABLE',
  MessageTooLargeError: 'ERR_TOO_LARGE',
  UnknownOptionError: 'ERR_UNKNOWN_OPTION',
};

/** Each case: a name and a call that must be refused before anything is sent. */
function cases(id: string): [string, (ops: AtomicOperations) => Promise<unknown>, (new (...a: never[]) => Error)?][] {
  const ok = { role: 'user', content: 'fine' };
  const rec = { sessionId: id, queryHash: 'q', response: 'r', assistantMessage: { role: 'assistant' } };
  return [
    ['empty session id', (o) => o.appendMessage('', ok)],
    ['non-string session id', (o) => o.appendMessage(42 as never, ok)],
    ['lone surrogate in session id', (o) => o.appendMessage('a\ud800', ok)],
    ['message null', (o) => o.appendMessage(id, null as never)],
    ['message a string', (o) => o.appendMessage(id, 'hello' as never)],
    ['message an array', (o) => o.appendMessage(id, [ok] as never)],
    ['message without role', (o) => o.appendMessage(id, { content: 'x' } as never)],
    ['numeric role', (o) => o.appendMessage(id, { role: 1 } as never)],
    ['empty role', (o) => o.appendMessage(id, { role: '' })],
    ['cycle', (o) => o.appendMessage(id, cyclic as never), NotSerializableError],
    ['deep cycle', (o) => o.appendMessage(id, deepCycle as never), NotSerializableError],
    ['BigInt', (o) => o.appendMessage(id, { role: 'user', n: 10n }), NotSerializableError],
    ['function', (o) => o.appendMessage(id, { role: 'user', f: () => 1 }), NotSerializableError],
    ['symbol value', (o) => o.appendMessage(id, { role: 'user', s: Symbol('x') }), NotSerializableError],
    ['symbol key', (o) => o.appendMessage(id, withSymbol), NotSerializableError],
    ['undefined field', (o) => o.appendMessage(id, { role: 'user', content: undefined }), NotSerializableError],
    ['NaN', (o) => o.appendMessage(id, { role: 'user', n: Number.NaN }), NotSerializableError],
    ['Infinity', (o) => o.appendMessage(id, { role: 'user', n: [Number.POSITIVE_INFINITY] }), NotSerializableError],
    ['Date', (o) => o.appendMessage(id, { role: 'user', at: new Date() }), NotSerializableError],
    ['Map', (o) => o.appendMessage(id, { role: 'user', m: new Map() }), NotSerializableError],
    ['class instance', (o) => o.appendMessage(id, { role: 'user', p: new Point() }), NotSerializableError],
    ['typed array', (o) => o.appendMessage(id, { role: 'user', b: new Uint8Array(2) }), NotSerializableError],
    ['sparse array', (o) => o.appendMessage(id, { role: 'user', a: sparse }), NotSerializableError],
    // 5000 levels of {"next":...} are also over the 1 KiB limit, which the walk notices first.
    ['nesting 5000 levels deep', (o) => o.appendMessage(id, deep as never), MessageTooLargeError],
    ['a getter that throws', (o) => o.appendMessage(id, throwingGetter), NotSerializableError],
    ['too large (ASCII)', (o) => o.appendMessage(id, { role: 'user', content: 'x'.repeat(LIMIT) }), MessageTooLargeError],
    // 400 characters but 1200 UTF-8 bytes: the limit is in bytes.
    ['too large (multi-byte)', (o) => o.appendMessage(id, { role: 'user', content: '€'.repeat(400) }), MessageTooLargeError],
    ['one bad message in a batch', (o) => o.appendMessages(id, [ok, { role: 'user', n: 1n }, ok]), NotSerializableError],
    ['empty batch', (o) => o.appendMessages(id, [])],
    ['negative maxMessages', (o) => o.appendMessage(id, ok, { maxMessages: -1 })],
    ['fractional maxMessages', (o) => o.appendMessage(id, ok, { maxMessages: 1.5 })],
    ['string maxMessages', (o) => o.appendMessage(id, ok, { maxMessages: '5' as never })],
    ['negative ttlMs', (o) => o.appendMessage(id, ok, { ttlMs: -1 })],
    ['fractional ttlMs', (o) => o.appendMessage(id, ok, { ttlMs: 0.5 })],
    ['infinite ttlMs', (o) => o.appendMessage(id, ok, { ttlMs: Number.POSITIVE_INFINITY })],
    ['huge ttlMs', (o) => o.appendMessage(id, ok, { ttlMs: Number.MAX_SAFE_INTEGER })],
    ['empty operationId', (o) => o.appendMessage(id, ok, { operationId: '' })],
    ['record: empty queryHash', (o) => o.recordResponse({ ...rec, queryHash: '' })],
    ['record: no assistant message', (o) => o.recordResponse({ ...rec, assistantMessage: undefined as never })],
    ['record: bad user message', (o) => o.recordResponse({ ...rec, userMessage: { role: 'user', x: cyclic } }), NotSerializableError],
    ['record: BigInt response', (o) => o.recordResponse({ ...rec, response: { n: 1n } }), NotSerializableError],
    ['record: response too large', (o) => o.recordResponse({ ...rec, response: 'x'.repeat(LIMIT) }), MessageTooLargeError],
    ['record: negative tokens', (o) => o.recordResponse({ ...rec, inputTokens: -1 })],
    ['record: fractional tokens', (o) => o.recordResponse({ ...rec, outputTokens: 1.5 })],
    ['record: NaN latency', (o) => o.recordResponse({ ...rec, latencyMs: Number.NaN })],
    ['record: negative latency', (o) => o.recordResponse({ ...rec, latencyMs: -3 })],
    ['record: negative cacheTtlMs', (o) => o.recordResponse({ ...rec, cacheTtlMs: -5 })],
    ['record: empty operationId', (o) => o.recordResponse({ ...rec, operationId: '' })],
    ['record: no input', (o) => o.recordResponse(undefined as never)],
    ['handoff: empty fromAgent', (o) => o.handoff({ sessionId: id, fromAgent: '', toAgent: 'b' })],
    ['handoff: missing toAgent', (o) => o.handoff({ sessionId: id, fromAgent: 'a' } as never)],
    ['handoff: zero lockTtlMs', (o) => o.handoff({ sessionId: id, fromAgent: 'a', toAgent: 'b', lockTtlMs: 0 })],
    ['handoff: cyclic context', (o) => o.handoff({ sessionId: id, fromAgent: 'a', toAgent: 'b', context: cyclic }), NotSerializableError],
    ['handoff: non-boolean check', (o) => o.handoff({ sessionId: id, fromAgent: 'a', toAgent: 'b', checkCurrentAgent: 'no' as never })],
    ['release: empty token', (o) => o.releaseHandoffLock(id, '')],
    ['getMessages: negative last', (o) => o.getMessages(id, { last: -1 })],
    ['getCachedResponse: empty hash', (o) => o.getCachedResponse('')],
    ['deleteSession: empty id', (o) => o.deleteSession('')],
    ['invalidateCachedResponse: empty hash', (o) => o.invalidateCachedResponse('')],
    ['misspelled operationId', (o) => o.appendMessage(id, ok, { operationID: 'x' } as never), UnknownOptionError],
    ['unknown record field', (o) => o.recordResponse({ ...rec, ttl: 5 } as never), UnknownOptionError],
    ['unknown handoff field', (o) => o.handoff({ sessionId: id, fromAgent: 'a', toAgent: 'b', lockTtl: 5 } as never), UnknownOptionError],
    ['unknown getMessages option', (o) => o.getMessages(id, { limit: 1 } as never), UnknownOptionError],
    ['string maxMessages reported as a string', (o) => o.appendMessage(id, ok, { maxMessages: '30000' as never })],
  ];
}

forEachTopology(['standalone', 'cluster'], (t) => {
  const closers: Closable[] = [];
  let ops: AtomicOperations;
  const id = sessionId('bad');
  beforeAll(async () => {
    ops = await openOps(t, closers, { maxMessageBytes: LIMIT });
    // Some state to compare against: a session with messages, a handoff and a cache entry.
    await ops.appendMessage(id, { role: 'user', content: 'existing' }, { operationId: 'op' });
    await ops.recordResponse({ sessionId: id, queryHash: 'q', response: 'r', assistantMessage: { role: 'assistant' } });
    await ops.handoff({ sessionId: id, fromAgent: 'a', toAgent: 'b' });
  });
  afterAll(() => closeAll(closers));

  for (const [name, call, errorClass] of cases(id)) {
    it(`refuses ${name} before sending anything, leaving Redis untouched`, async () => {
      const before = await snapshot(ops);
      expect(before.size).toBeGreaterThan(0);
      const commands = ops.redis.stats.commands;
      const err = await call(ops).then(
        () => undefined,
        (e: unknown) => e,
      );
      const expected = errorClass ?? InvalidArgumentError;
      expect(err).toBeInstanceOf(expected);
      expect(isInvalidArgumentError(err)).toBe(true);
      expect(err).toMatchObject({ code: CODES[expected.name], name: expected.name });
      if (name === 'string maxMessages reported as a string') expect((err as Error).message).toMatch(/got "30000" \(a string\)/);
      expect(ops.redis.stats.commands).toBe(commands);
      expect(await snapshot(ops)).toEqual(before);
    });
  }

  it('accepts the largest message that fits and -0 reads back as 0', async () => {
    const fits = { role: 'user', content: '' };
    fits.content = 'x'.repeat(LIMIT - JSON.stringify(fits).length);
    const other = sessionId('fits');
    await ops.appendMessage(other, fits);
    await ops.appendMessage(other, { role: 'user', n: -0 });
    expect(await ops.getMessages(other)).toEqual([fits, { role: 'user', n: 0 }]);
    await ops.deleteSession(other);
  });
});

it('rejects bad constructor options before connecting', () => {
  expect(() => new AtomicOperations('redis://127.0.0.1:1', { ttlMs: -1 })).toThrow(InvalidArgumentError);
  expect(() => new AtomicOperations('redis://127.0.0.1:1', { maxOperationIds: 0 })).toThrow(InvalidArgumentError);
  expect(() => new AtomicOperations('redis://127.0.0.1:1', { cacheScope: 'tenant' as never })).toThrow(InvalidArgumentError);
  expect(() => new AtomicOperations('redis://127.0.0.1:1', { prefix: '' })).toThrow(InvalidArgumentError);
  expect(() => new AtomicOperations('not a url')).toThrow(InvalidArgumentError);
  expect(() => new AtomicOperations('redis://127.0.0.1:1', { ttl: 5 } as never)).toThrow(/Did you mean "ttlMs"/);
  expect(() => new AtomicOperations({ prefix: 'p' } as never)).toThrow(/pass the connection first and the options second/);
});
