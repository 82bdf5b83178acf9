import { afterAll, describe, expect, it } from 'vitest';
import { MemorySession } from '@openai/agents-core';
import { forEachTopology } from '@x/tooling/vitest';
import type { RedisSession } from '../src/index.js';
import { userItem } from '../src/testing.js';
import { echoAgent } from './agent.js';
import { sessionFactory } from './helpers.js';

/** PTTL of every key of the session that exists. */
async function ttls(s: RedisSession): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, key] of Object.entries(s.operations.keys.session(s.sessionId))) {
    const pttl = await s.operations.redis.command<number>({ command: ['PTTL', key], keys: [key] });
    if (pttl !== -2) out[name] = pttl;
  }
  return out;
}

forEachTopology(['standalone', 'cluster'], (t) => {
  const factory = sessionFactory(t);
  afterAll(() => factory.close());

  describe('ttlMs', () => {
    it('sets the TTL on every key of the session with every write', async () => {
      const s = await factory.open({ ttlMs: 60_000 });
      await s.addItems([userItem(1), userItem(2)]);
      await s.applyHistoryTransaction({ operationId: 'op', transaction: { type: 'append_items', items: [userItem(3)] } });
      const after = await ttls(s);
      expect(Object.keys(after).sort()).toEqual(['messages', 'meta', 'ops', 'opslog']);
      for (const pttl of Object.values(after)) {
        expect(pttl).toBeGreaterThan(50_000);
        expect(pttl).toBeLessThanOrEqual(60_000);
      }
      // Each kind of write refreshes all of them.
      for (const write of [
        () => s.popItem(),
        () => s.addItems([userItem(4)]),
        () => s.replaceHistoryWithCompaction([userItem(5)]),
      ]) {
        await s.operations.redis.command({ command: ['PEXPIRE', s.operations.keys.session(s.sessionId).ops, 5_000], keys: [s.operations.keys.session(s.sessionId).ops] });
        await write();
        expect((await ttls(s)).ops).toBeGreaterThan(50_000);
      }
    });

    it('without ttlMs the keys do not expire', async () => {
      const s = await factory.open();
      await s.addItems([userItem(1)]);
      for (const pttl of Object.values(await ttls(s))) expect(pttl).toBe(-1);
    });

    it('an expired session reads as empty and starts over', async () => {
      const s = await factory.open({ ttlMs: 150 });
      await s.addItems([userItem(1)]);
      const deadline = Date.now() + 10_000;
      while ((await s.getItems()).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(await s.getItems()).toEqual([]);
      expect(await ttls(s)).toEqual({});
      await s.addItems([userItem(2)]);
      expect(await s.getItems()).toEqual([userItem(2)]);
    });
  });

  describe('maxItems', () => {
    it('keeps the last maxItems items through every kind of write', async () => {
      const s = await factory.open({ maxItems: 3 });
      await s.addItems([1, 2, 3, 4, 5].map(userItem));
      expect(await s.getItems()).toEqual([3, 4, 5].map(userItem));
      await s.applyHistoryTransaction({ operationId: 'w', transaction: { type: 'append_items', items: [userItem(6)] } });
      expect(await s.getItems()).toEqual([4, 5, 6].map(userItem));
      await s.replaceHistoryWithCompaction([7, 8, 9, 10].map(userItem));
      expect(await s.getItems()).toEqual([8, 9, 10].map(userItem));
    });

    it('a windowed session gives the model the last maxItems of what the in-memory session holds', async () => {
      const s = await factory.open({ maxItems: 6 });
      const memory = new MemorySession();
      const ours = echoAgent('win', 3);
      const theirs = echoAgent('win', 3);
      for (let i = 0; i < 3; i++) {
        await ours.runner.run(ours.agent, `question ${i}`, { session: s });
        await theirs.runner.run(theirs.agent, `question ${i}`, { session: memory });
      }
      const full = await memory.getItems();
      expect(full).toHaveLength(12);
      expect(await s.getItems(6)).toEqual(full.slice(-6));
      // A full read leaves out the tool output at the window's start whose call was trimmed.
      expect(full.slice(-6)[0]).toMatchObject({ type: 'function_call_result' });
      expect(await s.getItems()).toEqual(full.slice(-5));
      // The third run's first model call saw the window plus the new question, less the tool
      // output whose call the window dropped (the model API would refuse it).
      const theirInput = theirs.model.calls[4]!.request.input as { type: string }[];
      const window = theirInput.slice(-7);
      expect(window[0]!.type).toBe('function_call_result');
      expect(ours.model.calls[4]!.request.input).toEqual(window.slice(1));
    });
  });
});
