// addMessage(s) with an operation id (an extension of LangChain's signatures): a retry with the
// same id appends nothing more; the same id with other messages is OperationIdConflictError.
import { afterAll, describe, expect, it } from 'vitest';
import { forEachTopology } from '@x/tooling/vitest';
import { OperationIdConflictError } from '../src/index.js';
import { humanMessage } from '../src/testing.js';
import { historyFactory } from './helpers.js';

const texts = (messages: { content: unknown }[]) => messages.map((m) => m.content);

forEachTopology(['standalone', 'cluster'], (t) => {
  const histories = historyFactory(t, { ttlMs: 60_000 });
  afterAll(() => histories.close());

  describe('addMessages with an operationId', () => {
    it('a retry with the same id appends nothing more; other messages under the id are a conflict', async () => {
      const history = await histories.open();
      await history.addMessages([humanMessage(1), humanMessage(2)], { operationId: 'turn-1' });
      await history.addMessages([humanMessage(1), humanMessage(2)], { operationId: 'turn-1' });
      expect(texts(await history.getMessages())).toEqual(texts([humanMessage(1), humanMessage(2)]));
      const err = await history.addMessages([humanMessage(3)], { operationId: 'turn-1' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OperationIdConflictError);
      expect(err).toMatchObject({ code: 'ERR_OPERATION_ID_CONFLICT', operationId: 'turn-1' });
      await history.addMessage(humanMessage(3), { operationId: 'turn-2' });
      await history.addMessage(humanMessage(3), { operationId: 'turn-2' });
      expect(await history.getMessages()).toHaveLength(3);
      // Without an id (LangChain's own calls), every call appends.
      await history.addMessages([humanMessage(4)]);
      await history.addMessages([humanMessage(4)]);
      expect(await history.getMessages()).toHaveLength(5);
    });

    it('the id is remembered for the history\'s TTL', async () => {
      const history = await histories.open();
      await history.addMessage(humanMessage(1), { operationId: 'kept' });
      const ops = history.operations.keys.session(history.sessionId).ops;
      const pttl = Number(await history.operations.redis.command({ command: ['PTTL', ops], keys: [ops] }));
      expect(pttl).toBeGreaterThan(50_000);
      expect(pttl).toBeLessThanOrEqual(60_000);
    });
  });
});
