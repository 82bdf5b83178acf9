// addItems, popItem and replaceHistoryWithCompaction with an operation id (an extension of the
// SDK's signatures): a retry with the same id returns the first result; the same id with other
// items is OperationIdConflictError.
import { afterAll, describe, expect, it } from 'vitest';
import { forEachTopology } from '@x/tooling/vitest';
import { OperationIdConflictError } from '../src/index.js';
import { userItem } from '../src/testing.js';
import { sessionFactory } from './helpers.js';

forEachTopology(['standalone', 'cluster'], (t) => {
  const sessions = sessionFactory(t, { ttlMs: 60_000 });
  afterAll(() => sessions.close());

  describe('writes with an operationId', () => {
    it('addItems: a retry with the same id appends nothing more; other items under the id are a conflict', async () => {
      const session = await sessions.open();
      await session.addItems([userItem(1), userItem(2)], { operationId: 'turn-1' });
      await session.addItems([userItem(1), userItem(2)], { operationId: 'turn-1' });
      expect(await session.getItems()).toEqual([userItem(1), userItem(2)]);
      const err = await session.addItems([userItem(3)], { operationId: 'turn-1' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OperationIdConflictError);
      expect(err).toMatchObject({ code: 'ERR_OPERATION_ID_CONFLICT', operationId: 'turn-1' });
      expect(await session.getItems()).toEqual([userItem(1), userItem(2)]);
      // Without an id, every call appends (the SDK's own calls).
      await session.addItems([userItem(3)]);
      await session.addItems([userItem(3)]);
      expect(await session.getItems()).toHaveLength(4);
    });

    it('popItem: a retry with the same id returns the first item and removes nothing more', async () => {
      const session = await sessions.open();
      await session.addItems([userItem(1), userItem(2), userItem(3)]);
      expect(await session.popItem({ operationId: 'undo-1' })).toEqual(userItem(3));
      expect(await session.popItem({ operationId: 'undo-1' })).toEqual(userItem(3));
      expect(await session.getItems()).toEqual([userItem(1), userItem(2)]);
      await expect(session.popItem({ operationId: 'nothing' }).then(() => session.addItems([userItem(9)], { operationId: 'nothing' }))).rejects.toBeInstanceOf(
        OperationIdConflictError,
      );
      expect(await session.popItem()).toEqual(userItem(1)); // 'nothing' popped 2; no id: the next one
      expect(await session.getItems()).toEqual([]);
    });

    it('replaceHistoryWithCompaction: a retry with the same id changes nothing more', async () => {
      const session = await sessions.open();
      await session.addItems([userItem(1), userItem(2)]);
      await session.replaceHistoryWithCompaction([userItem('summary')], { operationId: 'compact-1' });
      await session.addItems([userItem(3)]);
      await session.replaceHistoryWithCompaction([userItem('summary')], { operationId: 'compact-1' }); // a late retry
      expect(await session.getItems()).toEqual([userItem('summary'), userItem(3)]);
    });

    it('refuses options other than operationId, and a bad id, before anything is sent', async () => {
      const session = await sessions.open();
      const before = session.operations.redis.stats.commands;
      await expect(session.addItems([userItem(1)], { operationID: 'x' } as never)).rejects.toMatchObject({ code: 'ERR_UNKNOWN_OPTION' });
      await expect(session.popItem({ operationId: '' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
      await expect(session.replaceHistoryWithCompaction([], { operationId: 7 } as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
      expect(session.operations.redis.stats.commands).toBe(before);
    });
  });
});
