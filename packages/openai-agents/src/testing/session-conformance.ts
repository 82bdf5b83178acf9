import type { AgentInputItem, Session, SessionHistoryTransactionArgs } from '@openai/agents-core';
import type { TestRunner } from './runner.js';
import { ALL_BYTES, sampleItems, userItem } from './sample-items.js';

/** A session that may have the SDK's optional transaction and compaction capabilities. */
export type SessionUnderTest = Session & {
  applyHistoryTransaction?: (args: SessionHistoryTransactionArgs) => Promise<void> | void;
};

/** What a session implementation provides to {@link runSessionConformance}. */
export interface SessionConformanceTarget {
  /** Shown in test names, e.g. `RedisSession standalone`. */
  name: string;
  /** Whether the sessions have `applyHistoryTransaction` (its cases run only then; checked against the session). */
  transactions: boolean;
  /** Whether the sessions have `replaceHistoryWithCompaction` (its cases run only then; checked against the session). */
  compaction: boolean;
  /** A new session with a fresh, unused id. */
  createSession(): Promise<SessionUnderTest> | SessionUnderTest;
  /** A second object for the same stored session (another process would open this), if the target can. */
  reopenSession?: (sessionId: string) => Promise<SessionUnderTest> | SessionUnderTest;
  /** Releases what `createSession` / `reopenSession` opened (called once, after every case). */
  dispose?: () => Promise<void> | void;
}

/** How many cases {@link runSessionConformance} registers, by capability (for reports). */
export const SESSION_CONFORMANCE_CASES = { session: 13, transactions: 9, compaction: 2 } as const;

let counter = 0;

/**
 * The behaviour of the SDK's `Session` interface, taken from its in-memory
 * reference (`MemorySession`), as test cases registered on the given runner.
 * Cases for `applyHistoryTransaction` and `replaceHistoryWithCompaction` run only
 * when the session has them. Run it against `MemorySession` too: it must pass.
 */
export function runSessionConformance(t: TestRunner, target: SessionConformanceTarget): void {
  const { describe, it, expect, afterAll } = t;
  const opened: SessionUnderTest[] = [];
  const fresh = async (): Promise<SessionUnderTest> => {
    const session = await target.createSession();
    opened.push(session);
    return session;
  };
  const tx = (operationId: string, transaction: SessionHistoryTransactionArgs['transaction']) => ({
    operationId,
    transaction,
  });
  const opId = (label: string) => `conf-${process.pid}-${Date.now().toString(36)}-${counter++}:${label}`;
  /** Awaits `fn` and returns what it threw (or fails the case when it did not throw). */
  const thrown = async (fn: () => unknown): Promise<unknown> => {
    try {
      await fn();
    } catch (err) {
      return err;
    }
    throw new Error('expected the call to throw, and it did not');
  };

  describe(`Session conformance: ${target.name}`, () => {
    afterAll(async () => {
      for (const s of opened.splice(0)) await Promise.resolve(s.clearSession()).catch(() => undefined);
      await target.dispose?.();
    });

    it('has the capabilities the target declares', async () => {
      const s = await fresh();
      expect(typeof s.applyHistoryTransaction === 'function').toBe(target.transactions);
      expect(typeof s.replaceHistoryWithCompaction === 'function').toBe(target.compaction);
    });

    it('has a stable, non-empty session id', async () => {
      const s = await fresh();
      const id = await s.getSessionId();
      expect(typeof id).toBe('string');
      expect(id.length).toBeGreaterThan(0);
      expect(await s.getSessionId()).toBe(id);
      expect(await (await fresh()).getSessionId()).not.toBe(id);
    });

    it('starts empty: no items, popItem gives undefined', async () => {
      const s = await fresh();
      expect(await s.getItems()).toEqual([]);
      expect(await s.getItems(3)).toEqual([]);
      expect(await s.popItem()).toBeUndefined();
    });

    it('returns added items exactly, in order, across several adds', async () => {
      const s = await fresh();
      const items = sampleItems();
      await s.addItems(items.slice(0, 3));
      await s.addItems(items.slice(3));
      expect(await s.getItems()).toEqual(sampleItems());
    });

    it('keeps binary values as Uint8Array, byte for byte', async () => {
      const s = await fresh();
      await s.addItems(sampleItems());
      const [, , , result] = await s.getItems();
      const data = (result as { output: { image: { data: unknown } } }).output.image.data;
      expect(data).toBeInstanceOf(Uint8Array);
      expect(Array.from(data as Uint8Array)).toEqual(Array.from(ALL_BYTES));
    });

    it('keeps undefined properties and numbers JSON cannot hold', async () => {
      const s = await fresh();
      await s.addItems(sampleItems());
      const items = await s.getItems();
      const assistant = items[5] as { providerData: Record<string, unknown> };
      expect(Object.keys(assistant.providerData)).toEqual(['note']);
      expect(assistant.providerData.note).toBeUndefined();
      const scores = (items[4] as unknown as { providerData: { scores: number[] } }).providerData.scores;
      expect(Number.isNaN(scores[0])).toBe(true);
      expect(Object.is(scores[1], -0)).toBe(true);
      expect(scores[2]).toBe(Number.POSITIVE_INFINITY);
    });

    it('getItems(limit) returns the most recent items, oldest first', async () => {
      const s = await fresh();
      await s.addItems([1, 2, 3, 4, 5].map(userItem));
      expect(await s.getItems(2)).toEqual([userItem(4), userItem(5)]);
      expect(await s.getItems(1)).toEqual([userItem(5)]);
      expect(await s.getItems(5)).toEqual([1, 2, 3, 4, 5].map(userItem));
      expect(await s.getItems(50)).toEqual([1, 2, 3, 4, 5].map(userItem));
      expect(await s.getItems(0)).toEqual([]);
      expect(await s.getItems(-1)).toEqual([]);
    });

    it('adding no items changes nothing', async () => {
      const s = await fresh();
      await s.addItems([]);
      expect(await s.getItems()).toEqual([]);
      await s.addItems([userItem(1)]);
      await s.addItems([]);
      expect(await s.getItems()).toEqual([userItem(1)]);
    });

    it('stores copies: changing an added or a returned item does not change the session', async () => {
      const s = await fresh();
      const item = userItem('original') as { content: string };
      await s.addItems([item as AgentInputItem]);
      item.content = 'changed after add';
      const [read] = (await s.getItems()) as { content: string }[];
      expect(read!.content).toBe('message original');
      read!.content = 'changed after read';
      expect(await s.getItems()).toEqual([userItem('original')]);
    });

    it('popItem removes and returns the most recent item until none is left', async () => {
      const s = await fresh();
      await s.addItems([1, 2, 3].map(userItem));
      expect(await s.popItem()).toEqual(userItem(3));
      expect(await s.getItems()).toEqual([userItem(1), userItem(2)]);
      expect(await s.popItem()).toEqual(userItem(2));
      expect(await s.popItem()).toEqual(userItem(1));
      expect(await s.popItem()).toBeUndefined();
      expect(await s.getItems()).toEqual([]);
      await s.addItems([userItem(4)]);
      expect(await s.getItems()).toEqual([userItem(4)]);
    });

    it('clearSession removes every item and the session can be used again', async () => {
      const s = await fresh();
      await s.addItems(sampleItems());
      await s.clearSession();
      expect(await s.getItems()).toEqual([]);
      expect(await s.popItem()).toBeUndefined();
      await s.addItems([userItem(1)]);
      expect(await s.getItems()).toEqual([userItem(1)]);
    });

    it('keeps sessions apart', async () => {
      const a = await fresh();
      const b = await fresh();
      await a.addItems([userItem('a')]);
      await b.addItems([userItem('b')]);
      expect(await a.getItems()).toEqual([userItem('a')]);
      expect(await b.getItems()).toEqual([userItem('b')]);
      await a.clearSession();
      expect(await b.getItems()).toEqual([userItem('b')]);
    });

    it('loses nothing when writers add to one session at once', async () => {
      const s = await fresh();
      const other = target.reopenSession ? await target.reopenSession(await s.getSessionId()) : s;
      if (other !== s) opened.push(other);
      const writes = Array.from({ length: 20 }, (_, i) => (i % 2 ? s : other).addItems([userItem(`${i}a`), userItem(`${i}b`)]));
      await Promise.all(writes);
      const items = (await s.getItems()) as { content: string }[];
      expect(items).toHaveLength(40);
      // Each write's two items stay together and in order.
      for (let k = 0; k < 40; k += 2) {
        expect(items[k]!.content.replace(/a$/, 'b')).toBe(items[k + 1]!.content);
      }
      expect(new Set(items.map((i) => i.content)).size).toBe(40);
    });

    if (target.transactions) describe('applyHistoryTransaction', () => {
      const txSession = async () => (await fresh()) as Required<SessionUnderTest>;

      it('append_items appends, and a retry with the same operationId changes nothing', async () => {
        const s = await txSession();
        await s.addItems([userItem(1)]);
        const args = tx(opId('append'), { type: 'append_items', items: [userItem(2), userItem(3)] });
        await s.applyHistoryTransaction(args);
        await s.applyHistoryTransaction(args);
        await s.applyHistoryTransaction(structuredClone(args));
        expect(await s.getItems()).toEqual([1, 2, 3].map(userItem));
      });

      it('a retried operationId stays a no-op after later writes', async () => {
        const s = await txSession();
        const args = tx(opId('append'), { type: 'append_items', items: [userItem(1)] });
        await s.applyHistoryTransaction(args);
        await s.addItems([userItem(2)]);
        await s.applyHistoryTransaction(args);
        expect(await s.getItems()).toEqual([userItem(1), userItem(2)]);
      });

      it('reusing an operationId with a different transaction fails and changes nothing', async () => {
        const s = await txSession();
        const id = opId('reuse');
        await s.applyHistoryTransaction(tx(id, { type: 'append_items', items: [userItem(1)] }));
        expect(await thrown(() => s.applyHistoryTransaction(tx(id, { type: 'append_items', items: [userItem(2)] })))).toBeInstanceOf(Error);
        expect(
          await thrown(() =>
            s.applyHistoryTransaction(tx(id, { type: 'replace_suffix', expectedSuffix: [userItem(1)], replacement: [] })),
          ),
        ).toBeInstanceOf(Error);
        expect(await s.getItems()).toEqual([userItem(1)]);
      });

      it('replace_suffix replaces a matching suffix, binary values included', async () => {
        const s = await txSession();
        const items = sampleItems();
        await s.addItems([userItem(0), ...items]);
        const stored = await s.getItems();
        await s.applyHistoryTransaction(
          tx(opId('replace'), { type: 'replace_suffix', expectedSuffix: stored.slice(3), replacement: [userItem('new')] }),
        );
        expect(await s.getItems()).toEqual([userItem(0), ...sampleItems().slice(0, 2), userItem('new')]);
      });

      it('replace_suffix matches regardless of the key order of the expected items', async () => {
        const s = await txSession();
        await s.addItems([{ type: 'message', role: 'user', content: 'x' } as AgentInputItem]);
        const reordered = { content: 'x', role: 'user', type: 'message' } as AgentInputItem;
        await s.applyHistoryTransaction(tx(opId('order'), { type: 'replace_suffix', expectedSuffix: [reordered], replacement: [] }));
        expect(await s.getItems()).toEqual([]);
      });

      it('replace_suffix fails without changing anything when the suffix does not match', async () => {
        const s = await txSession();
        await s.addItems([1, 2, 3].map(userItem));
        const id = opId('mismatch');
        const cases = [[userItem(2)], [userItem(1), userItem(2)], [userItem(0), ...[1, 2, 3].map(userItem)], [userItem('3 ')]];
        for (const expectedSuffix of cases) {
          expect(
            await thrown(() => s.applyHistoryTransaction(tx(id, { type: 'replace_suffix', expectedSuffix, replacement: [userItem('x')] }))),
          ).toBeInstanceOf(Error);
        }
        expect(await s.getItems()).toEqual([1, 2, 3].map(userItem));
        // A failed transaction does not use up its operation id.
        await s.applyHistoryTransaction(tx(id, { type: 'replace_suffix', expectedSuffix: [userItem(3)], replacement: [userItem('x')] }));
        expect(await s.getItems()).toEqual([userItem(1), userItem(2), userItem('x')]);
      });

      it('replace_suffix with an empty expected suffix appends, and one covering everything replaces everything', async () => {
        const s = await txSession();
        await s.applyHistoryTransaction(tx(opId('a'), { type: 'replace_suffix', expectedSuffix: [], replacement: [userItem(1)] }));
        await s.applyHistoryTransaction(
          tx(opId('b'), { type: 'replace_suffix', expectedSuffix: [userItem(1)], replacement: [userItem(2), userItem(3)] }),
        );
        expect(await s.getItems()).toEqual([userItem(2), userItem(3)]);
      });

      it('rejects malformed transactions without changing anything', async () => {
        const s = await txSession();
        await s.addItems([userItem(1)]);
        const bad: unknown[] = [
          { operationId: '', transaction: { type: 'append_items', items: [] } },
          { operationId: '   ', transaction: { type: 'append_items', items: [] } },
          { operationId: opId('bad'), transaction: { type: 'append', items: [userItem(2)] } },
          { operationId: opId('bad'), transaction: { type: 'append_items', items: [userItem(2)], extra: 1 } },
          { operationId: opId('bad'), transaction: { type: 'replace_suffix', expectedSuffix: [userItem(1)] } },
          { operationId: opId('bad'), transaction: { type: 'append_items', items: [() => 1] } },
          { operationId: opId('bad') },
        ];
        for (const args of bad) {
          expect(await thrown(() => s.applyHistoryTransaction(args as SessionHistoryTransactionArgs))).toBeInstanceOf(Error);
        }
        expect(await s.getItems()).toEqual([userItem(1)]);
      });

      it('clearSession also forgets the applied operation ids', async () => {
        const s = await txSession();
        const args = tx(opId('clear'), { type: 'append_items', items: [userItem(1)] });
        await s.applyHistoryTransaction(args);
        await s.clearSession();
        await s.applyHistoryTransaction(args);
        expect(await s.getItems()).toEqual([userItem(1)]);
      });
    });

    if (target.compaction) describe('replaceHistoryWithCompaction', () => {
      const compaction = { type: 'compaction', encrypted_content: 'summary-of-everything' } as AgentInputItem;

      it('replaces the whole history with the compaction item and its suffix', async () => {
        const s = (await fresh()) as Required<SessionUnderTest>;
        await s.addItems([...sampleItems(), userItem('keep')]);
        await s.replaceHistoryWithCompaction([compaction, userItem('keep')]);
        expect(await s.getItems()).toEqual([compaction, userItem('keep')]);
        await s.addItems([userItem('after')]);
        expect(await s.getItems()).toEqual([compaction, userItem('keep'), userItem('after')]);
      });

      it('works on an empty session', async () => {
        const s = (await fresh()) as Required<SessionUnderTest>;
        await s.replaceHistoryWithCompaction([compaction]);
        expect(await s.getItems()).toEqual([compaction]);
      });
    });
  });
}
