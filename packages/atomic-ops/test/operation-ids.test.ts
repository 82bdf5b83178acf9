// popMessage with an operation id: the removed message is remembered with the id in
// the same script call, so a retry returns it and removes nothing more.
import { afterAll, describe, expect, it } from 'vitest';
import { forEachTopology } from '@x/tooling/vitest';
import { OperationIdConflictError } from '../src/index.js';
import { closeAll, openOps, sessionId, sessionTtls, type Closable } from './helpers.js';

forEachTopology(['standalone', 'cluster'], (t) => {
  const closers: Closable[] = [];
  afterAll(() => closeAll(closers));

  describe('appendMessage(s) with an operationId', () => {
    it('the same id with other messages is OperationIdConflictError, and nothing is written', async () => {
      const ops = await openOps(t, closers);
      const id = sessionId();
      expect(await ops.appendMessages(id, [{ role: 'user', n: 1 }, { role: 'user', n: 2 }], { operationId: 'turn' })).toBe(2);
      expect(await ops.appendMessages(id, [{ role: 'user', n: 1 }, { role: 'user', n: 2 }], { operationId: 'turn' })).toBe(2);
      const err = await ops.appendMessage(id, { role: 'user', n: 3 }, { operationId: 'turn' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OperationIdConflictError);
      expect(err).toMatchObject({ code: 'ERR_OPERATION_ID_CONFLICT', operationId: 'turn', recordedAs: 'append (with other messages)' });
      expect(await ops.getMessages(id)).toEqual([{ role: 'user', n: 1 }, { role: 'user', n: 2 }]);
      expect(await ops.getSession(id)).toMatchObject({ messageCount: 2 });
    });
  });

  describe('recordResponse with an operationId', () => {
    it('a retry with the same content returns the first count (other metrics too); other content is OperationIdConflictError, and nothing is written', async () => {
      const ops = await openOps(t, closers);
      const id = sessionId();
      const call = (over: { response?: unknown; inputTokens?: number; latencyMs?: number; assistantMessage?: { role: string; content: string } } = {}) =>
        ops.recordResponse({
          sessionId: id,
          queryHash: 'q',
          response: { answer: 1 },
          userMessage: { role: 'user', content: 'hi' },
          assistantMessage: { role: 'assistant', content: 'hello' },
          inputTokens: 3,
          operationId: 'turn-1',
          ...over,
        });
      expect(await call()).toEqual({ messageCount: 2 });
      expect(await call()).toEqual({ messageCount: 2 });
      // The same turn re-run after a crash may hit the cache and measure other tokens and latency:
      // still the same record, the first call's figures stand.
      expect(await call({ inputTokens: 0, latencyMs: 0 })).toEqual({ messageCount: 2 });
      for (const other of [{ response: { answer: 2 } }, { assistantMessage: { role: 'assistant', content: 'bye' } }]) {
        const err = await call(other).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(OperationIdConflictError);
        expect(err).toMatchObject({ code: 'ERR_OPERATION_ID_CONFLICT', operationId: 'turn-1', recordedAs: 'record (with other content)' });
      }
      expect(await ops.getSession(id)).toMatchObject({ messageCount: 2, inputTokens: 3 });
    });
  });

  describe('popMessage with an operationId', () => {
    it('a retry with the same id returns the first call\'s message and removes nothing more', async () => {
      const ops = await openOps(t, closers);
      const id = sessionId();
      await ops.appendMessages(id, [{ role: 'user', n: 1 }, { role: 'user', n: 2 }, { role: 'user', n: 3 }]);
      expect(await ops.popMessage(id, { operationId: 'pop-1' })).toEqual({ role: 'user', n: 3 });
      expect(await ops.popMessage(id, { operationId: 'pop-1' })).toEqual({ role: 'user', n: 3 });
      expect(await ops.getMessages(id)).toEqual([{ role: 'user', n: 1 }, { role: 'user', n: 2 }]);
      expect(await ops.popMessage(id, { operationId: 'pop-2' })).toEqual({ role: 'user', n: 2 });
      expect(await ops.getMessages(id)).toEqual([{ role: 'user', n: 1 }]);
      // Without an id, every call removes one more.
      expect(await ops.popMessage(id)).toEqual({ role: 'user', n: 1 });
      expect(await ops.popMessage(id)).toBeNull();
    });

    it('"nothing to remove" is the remembered answer: a retry after a new append still returns null', async () => {
      const ops = await openOps(t, closers);
      const id = sessionId();
      await ops.appendMessage(id, { role: 'user', n: 1 });
      await ops.popMessage(id);
      expect(await ops.popMessage(id, { operationId: 'empty' })).toBeNull();
      await ops.appendMessage(id, { role: 'user', n: 2 });
      expect(await ops.popMessage(id, { operationId: 'empty' })).toBeNull();
      expect(await ops.getMessages(id)).toEqual([{ role: 'user', n: 2 }]);
    });

    it('on an unknown session, remembers the id for the TTL without creating the session', async () => {
      const ops = await openOps(t, closers, { ttlMs: 60_000 });
      const id = sessionId();
      expect(await ops.popMessage(id, { operationId: 'nothing' })).toBeNull();
      expect(await ops.getSession(id)).toBeNull();
      const ttls = await sessionTtls(ops, id);
      expect(Object.keys(ttls).sort()).toEqual(['ops', 'opslog']);
      for (const pttl of Object.values(ttls)) expect(pttl).toBeGreaterThan(50_000);
      await ops.appendMessage(id, { role: 'user' });
      expect(await ops.popMessage(id, { operationId: 'nothing' })).toBeNull();
      expect(await ops.getMessages(id)).toHaveLength(1);
    });

    it('an id used by another kind of operation is OperationIdConflictError, and nothing is removed', async () => {
      const ops = await openOps(t, closers);
      const id = sessionId();
      await ops.appendMessage(id, { role: 'user', n: 1 }, { operationId: 'shared' });
      const err = await ops.popMessage(id, { operationId: 'shared' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OperationIdConflictError);
      expect(err).toMatchObject({ code: 'ERR_OPERATION_ID_CONFLICT', operationId: 'shared', recordedAs: 'append' });
      expect(await ops.getMessages(id)).toEqual([{ role: 'user', n: 1 }]);
      // and the other way round: a pop's id reused by an append
      await ops.popMessage(id, { operationId: 'popped' });
      await expect(ops.appendMessage(id, { role: 'user', n: 2 }, { operationId: 'popped' })).rejects.toMatchObject({
        code: 'ERR_OPERATION_ID_CONFLICT',
        recordedAs: 'pop',
      });
      expect(await ops.getMessages(id)).toEqual([]);
    });

    it('remembers at most maxOperationIds ids, and the ids live with the session\'s TTL', async () => {
      const ops = await openOps(t, closers, { maxOperationIds: 2, ttlMs: 60_000 });
      const id = sessionId();
      await ops.appendMessages(id, [{ role: 'user', n: 1 }, { role: 'user', n: 2 }, { role: 'user', n: 3 }, { role: 'user', n: 4 }]);
      await ops.popMessage(id, { operationId: 'a' });
      await ops.popMessage(id, { operationId: 'b' });
      await ops.popMessage(id, { operationId: 'c' }); // forgets 'a'
      const keys = ops.keys.session(id);
      expect(await ops.redis.command({ command: ['HKEYS', keys.ops], keys: [keys.ops] })).toEqual(['b', 'c']);
      expect((await sessionTtls(ops, id)).ops).toBeGreaterThan(50_000);
      expect(await ops.popMessage(id, { operationId: 'a' })).toEqual({ role: 'user', n: 1 }); // a new pop now
    });
  });
});
