import { afterAll, describe, expect, it } from 'vitest';
import { forEachTopology } from '@x/tooling/vitest';
import { InvalidArgumentError, OperationIdConflictError, SuffixMismatchError, type Message } from '../src/index.js';
import { closeAll, openOps, sessionId, sessionTtls, snapshot, type Closable } from './helpers.js';

const m = (i: number | string, extra: Record<string, unknown> = {}): Message => ({ role: 'user', i, ...extra });

forEachTopology(['standalone', 'cluster'], (t) => {
  const closers: Closable[] = [];
  afterAll(() => closeAll(closers));
  const open = (options = {}) => openOps(t, closers, options);

  describe('replaceMessages', () => {
    it('appends with an empty expected suffix, replaces a matching suffix, replaces everything without one', async () => {
      const ops = await open();
      const id = sessionId();
      expect(await ops.replaceMessages({ sessionId: id, expectedSuffix: [], messages: [m(1), m(2), m(3)] })).toBe(3);
      expect(await ops.replaceMessages({ sessionId: id, expectedSuffix: [m(2), m(3)], messages: [m('x')] })).toBe(4);
      expect(await ops.getMessages(id)).toEqual([m(1), m('x')]);
      expect(await ops.replaceMessages({ sessionId: id, messages: [m('a'), m('b')] })).toBe(6);
      expect(await ops.getMessages(id)).toEqual([m('a'), m('b')]);
      expect(await ops.replaceMessages({ sessionId: id, messages: [] })).toBe(6);
      expect(await ops.getMessages(id)).toEqual([]);
    });

    it('throws SuffixMismatchError and writes nothing when the suffix differs', async () => {
      const ops = await open();
      const id = sessionId();
      await ops.appendMessages(id, [m(1), m(2)]);
      const before = await snapshot(ops);
      for (const expectedSuffix of [[m(1)], [m(2, { extra: true })], [m(0), m(1), m(2)]]) {
        const err = await ops
          .replaceMessages({ sessionId: id, expectedSuffix, messages: [m(9)], operationId: 'op' })
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(SuffixMismatchError);
        expect(err).toMatchObject({ code: 'ERR_SUFFIX_MISMATCH', sessionId: id, storedMessages: 2 });
      }
      expect(await snapshot(ops)).toEqual(before);
      // The refused id was not recorded: the same id applies once the suffix matches.
      expect(await ops.replaceMessages({ sessionId: id, expectedSuffix: [m(2)], messages: [m(9)], operationId: 'op' })).toBe(3);
    });

    it('is idempotent by operationId and refuses the id with other content', async () => {
      const ops = await open();
      const id = sessionId();
      const input = { sessionId: id, expectedSuffix: [], messages: [m(1)], operationId: 'run-1:turn-1' };
      expect(await ops.replaceMessages(input)).toBe(1);
      expect(await ops.replaceMessages(input)).toBe(1);
      await ops.appendMessage(id, m(2));
      // The retry is answered before the suffix is compared: still a no-op.
      expect(await ops.replaceMessages(input)).toBe(1);
      await expect(ops.replaceMessages({ ...input, messages: [m('other')] })).rejects.toBeInstanceOf(OperationIdConflictError);
      await expect(ops.appendMessage(id, m(3), { operationId: input.operationId })).rejects.toBeInstanceOf(
        OperationIdConflictError,
      );
      expect(await ops.getMessages(id)).toEqual([m(1), m(2)]);
    });

    it('trims to the window and sets the TTL on every session key', async () => {
      const ops = await open({ maxMessages: 3, ttlMs: 60_000 });
      const id = sessionId();
      await ops.replaceMessages({ sessionId: id, messages: [m(1), m(2), m(3), m(4)], operationId: 'o' });
      expect(await ops.getMessages(id)).toEqual([m(2), m(3), m(4)]);
      const ttls = await sessionTtls(ops, id);
      expect(Object.keys(ttls).sort()).toEqual(['messages', 'meta', 'ops', 'opslog']);
      for (const pttl of Object.values(ttls)) expect(pttl).toBeGreaterThan(50_000);
    });

    it('rejects bad input before sending anything', async () => {
      const ops = await open();
      const sent = ops.redis.stats.commands;
      await expect(ops.replaceMessages({ sessionId: '', messages: [] })).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(ops.replaceMessages({ sessionId: 's', messages: [{ content: 'no role' } as never] })).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
      await expect(
        ops.replaceMessages({ sessionId: 's', messages: [], expectedSuffix: 'x' as never }),
      ).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(
        ops.replaceMessages({ sessionId: 's', messages: Array.from({ length: 1001 }, (_, i) => m(i)) }),
      ).rejects.toBeInstanceOf(InvalidArgumentError);
      expect(ops.redis.stats.commands).toBe(sent);
    });
  });

  describe('popMessage', () => {
    it('pops the last message, keeps the count and refreshes the TTL; an empty session pops null', async () => {
      const ops = await open({ ttlMs: 60_000 });
      const id = sessionId();
      expect(await ops.popMessage(id)).toBeNull();
      expect(await ops.getSession(id)).toBeNull();
      await ops.appendMessages(id, [m(1), m(2)], { ttlMs: 0 });
      expect(await ops.popMessage(id)).toEqual(m(2));
      expect(await ops.getMessages(id)).toEqual([m(1)]);
      expect((await ops.getSession(id))?.messageCount).toBe(2);
      for (const pttl of Object.values(await sessionTtls(ops, id))) expect(pttl).toBeGreaterThan(50_000);
      expect(await ops.popMessage(id, { ttlMs: 0 })).toEqual(m(1));
      expect(await ops.popMessage(id)).toBeNull();
    });

    it('loses nothing when many writers append and pop at once', async () => {
      const ops = await open();
      const id = sessionId();
      await ops.appendMessages(id, Array.from({ length: 50 }, (_, i) => m(i)));
      const popped = await Promise.all(Array.from({ length: 50 }, () => ops.popMessage(id)));
      expect(popped.map((p) => p?.i).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 50 }, (_, i) => i));
      expect(await ops.getMessages(id)).toEqual([]);
    });
  });
});
