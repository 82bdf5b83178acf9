import { afterAll, describe, expect, it } from 'vitest';
import { forEachTopology } from '@x/tooling/vitest';
import {
  AtomicOperations,
  HandoffConflictError,
  HandoffInProgressError,
  OperationIdConflictError,
  ScriptError,
  SESSION_KEY_NAMES,
  type Message,
} from '../src/index.js';
import { closeAll, eventually, openOps, serverTimeMs, sessionId, sessionTtls, snapshot, type Closable } from './helpers.js';

forEachTopology(['standalone', 'cluster'], (t) => {
  const closers: Closable[] = [];
  afterAll(() => closeAll(closers));
  const open = (options = {}) => openOps(t, closers, options);

  describe('appendMessage', () => {
    it('appends, counts, stamps server time and reads back exactly as written, in order', async () => {
      const ops = await open();
      const id = sessionId();
      const messages: Message[] = [
        { role: 'user', content: 'Hello' },
        { role: 'assistant', content: 'Hi! ü 😀 "quoted" \\ back\nslash', tool_calls: [{ id: 'c1', args: { a: [1, 2.5, null, true] } }] },
        { role: 'tool', content: '', nested: { deep: { deeper: [{}, [], ''] } }, n: -0.000001, big: 1e21 },
        { role: 'user', content: '{not json} * ? [x] : %41' },
      ];
      const before = await serverTimeMs(ops, ops.keys.session(id).meta);
      const counts: number[] = [];
      for (const m of messages) counts.push(await ops.appendMessage(id, m));
      const after = await serverTimeMs(ops, ops.keys.session(id).meta);
      expect(counts).toEqual([1, 2, 3, 4]);
      expect(await ops.getMessages(id)).toEqual(messages);
      expect(await ops.getMessages(id, { last: 2 })).toEqual(messages.slice(2));
      expect(await ops.getMessages(id, { last: 0 })).toEqual([]);
      const info = await ops.getSession(id);
      expect(info).toMatchObject({ sessionId: id, messageCount: 4, storedMessages: 4, currentAgent: null, agentsUsed: [] });
      expect(info!.createdAt).toBeGreaterThanOrEqual(before);
      expect(info!.updatedAt).toBeGreaterThanOrEqual(info!.createdAt);
      expect(info!.updatedAt).toBeLessThanOrEqual(after);
    });

    it('keeps a sliding window of the last maxMessages while the count keeps growing', async () => {
      const ops = await open();
      const id = sessionId();
      for (let i = 1; i <= 12; i++) {
        expect(await ops.appendMessage(id, { role: 'user', i }, { maxMessages: 5 })).toBe(i);
      }
      expect((await ops.getMessages(id)).map((m) => m.i)).toEqual([8, 9, 10, 11, 12]);
      expect(await ops.appendMessages(id, [{ role: 'a', i: 13 }, { role: 'b', i: 14 }], { maxMessages: 3 })).toBe(14);
      expect((await ops.getMessages(id)).map((m) => m.i)).toEqual([12, 13, 14]);
      expect(await ops.getSession(id)).toMatchObject({ messageCount: 14, storedMessages: 3 });
      // 0 = no limit
      expect(await ops.appendMessage(id, { role: 'user', i: 15 }, { maxMessages: 0 })).toBe(15);
      expect((await ops.getMessages(id)).length).toBe(4);
    });

    it('is one script call', async () => {
      const ops = await open();
      const id = sessionId();
      // Counted without NOSCRIPT fallbacks (a node that has not run the script yet answers NOSCRIPT once).
      const sent = () => ops.redis.stats.commands - ops.redis.stats.noscriptFallbacks;
      const before = sent();
      await ops.appendMessage(id, { role: 'user', content: 'x' });
      expect(sent() - before).toBe(1);
    });
  });

  describe('idempotency', () => {
    it('applies a retried append once and returns the original count', async () => {
      const ops = await open();
      const id = sessionId();
      expect(await ops.appendMessage(id, { role: 'user', n: 1 }, { operationId: 'op-1' })).toBe(1);
      expect(await ops.appendMessage(id, { role: 'user', n: 2 })).toBe(2);
      expect(await ops.appendMessage(id, { role: 'user', n: 1 }, { operationId: 'op-1' })).toBe(1);
      expect(await ops.appendMessage(id, { role: 'user', n: 3 }, { operationId: 'op-3' })).toBe(3);
      expect(await ops.appendMessage(id, { role: 'user', n: 3 }, { operationId: 'op-3' })).toBe(3);
      expect((await ops.getMessages(id)).map((m) => m.n)).toEqual([1, 2, 3]);
      expect(await ops.getSession(id)).toMatchObject({ messageCount: 3 });
    });

    it('applies concurrent retries of one operation exactly once', async () => {
      const ops = await open();
      const other = await open({ prefix: ops.keys.keyspace.prefix });
      const id = sessionId();
      await ops.appendMessage(id, { role: 'system', content: 'start' });
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? other : ops).appendMessage(id, { role: 'user', content: 'once' }, { operationId: 'same' }),
        ),
      );
      expect(new Set(results)).toEqual(new Set([2]));
      expect(await ops.getMessages(id)).toEqual([
        { role: 'system', content: 'start' },
        { role: 'user', content: 'once' },
      ]);
    });

    it('applies a retried recordResponse once and returns the original result', async () => {
      const ops = await open();
      const id = sessionId();
      const input = {
        sessionId: id,
        queryHash: `q-${id}`,
        response: { text: 'answer' },
        userMessage: { role: 'user', content: 'question' },
        assistantMessage: { role: 'assistant', content: 'answer' },
        inputTokens: 7,
        outputTokens: 3,
        latencyMs: 12,
        operationId: 'rec-1',
      };
      expect(await ops.recordResponse(input)).toEqual({ messageCount: 2 });
      await ops.appendMessage(id, { role: 'user', content: 'next' });
      expect(await ops.recordResponse(input)).toEqual({ messageCount: 2 });
      expect(await ops.getSession(id)).toMatchObject({
        messageCount: 3,
        responses: 1,
        inputTokens: 7,
        outputTokens: 3,
        totalLatencyMs: 12,
      });
      expect((await ops.getMessages(id)).map((m) => m.content)).toEqual(['question', 'answer', 'next']);
    });

    it('refuses an operation id already used by another kind of operation, writing nothing', async () => {
      const ops = await open();
      const id = sessionId();
      await ops.appendMessage(id, { role: 'user' }, { operationId: 'shared' });
      const before = await snapshot(ops);
      const err = await ops
        .recordResponse({
          sessionId: id,
          queryHash: 'q-shared-session-scope',
          response: 'r',
          assistantMessage: { role: 'assistant' },
          operationId: 'shared',
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OperationIdConflictError);
      expect(err).toMatchObject({ code: 'ERR_OPERATION_ID_CONFLICT', recordedAs: 'append', operationId: 'shared' });
      const after = await snapshot(ops);
      // On a cluster the global cache half is a separate script and has run; the session is untouched.
      for (const [key, value] of before) expect(after.get(key)).toBe(value);
    });

    it('remembers at most maxOperationIds ids, forgetting the oldest', async () => {
      const ops = await open({ maxOperationIds: 3 });
      const id = sessionId();
      for (let i = 1; i <= 5; i++) await ops.appendMessage(id, { role: 'user', i }, { operationId: `op-${i}` });
      const { ops: opsKey, opslog } = ops.keys.session(id);
      expect(await ops.redis.command({ command: ['HLEN', opsKey], keys: [opsKey] })).toBe(3);
      expect(await ops.redis.command({ command: ['LRANGE', opslog, 0, -1], keys: [opslog] })).toEqual(['op-3', 'op-4', 'op-5']);
      expect(await ops.appendMessage(id, { role: 'user', i: 5 }, { operationId: 'op-5' })).toBe(5);
      expect(await ops.appendMessage(id, { role: 'user', i: 1 }, { operationId: 'op-1' })).toBe(6); // forgotten
    });

    it('forgets operation ids when the session expires', async () => {
      const ops = await open();
      const id = sessionId();
      await ops.appendMessage(id, { role: 'user' }, { operationId: 'op', ttlMs: 150 });
      await eventually(async () => (await snapshot(ops)).size === 0 || undefined, 'the session to expire');
      expect(await ops.getSession(id)).toBeNull();
      expect(await ops.appendMessage(id, { role: 'user' }, { operationId: 'op' })).toBe(1);
    });
  });

  describe('recordResponse and the cache', () => {
    it('caches the response and updates messages, tokens, latency and the response count', async () => {
      const ops = await open();
      const id = sessionId();
      const queryHash = `hash:{${id}}`;
      const before = await serverTimeMs(ops, ops.keys.session(id).meta);
      expect(await ops.getCachedResponse(queryHash)).toBeNull();
      const r1 = await ops.recordResponse({
        sessionId: id,
        queryHash,
        response: { text: 'Paris', citations: ['x'] },
        userMessage: { role: 'user', content: 'Capital of France?' },
        assistantMessage: { role: 'assistant', content: 'Paris' },
        latencyMs: 120.25,
        inputTokens: 11,
        outputTokens: 2,
        cacheTtlMs: 60_000,
      });
      expect(r1).toEqual({ messageCount: 2 });
      const r2 = await ops.recordResponse({
        sessionId: id,
        queryHash: `${queryHash}-2`,
        response: 'second',
        assistantMessage: { role: 'assistant', content: 'only assistant' },
        latencyMs: 0.5,
        inputTokens: 4,
        outputTokens: 6,
      });
      expect(r2).toEqual({ messageCount: 3 });
      const info = await ops.getSession(id);
      expect(info).toMatchObject({
        messageCount: 3,
        storedMessages: 3,
        responses: 2,
        inputTokens: 15,
        outputTokens: 8,
        totalLatencyMs: 120.75,
      });
      expect(info!.updatedAt).toBeGreaterThanOrEqual(before);
      expect((await ops.getMessages(id)).map((m) => m.content)).toEqual(['Capital of France?', 'Paris', 'only assistant']);

      const hit = await ops.getCachedResponse(queryHash);
      expect(hit).toMatchObject({ response: { text: 'Paris', citations: ['x'] }, hits: 1 });
      expect(hit!.cachedAt).toBeGreaterThanOrEqual(before);
      expect(hit!.ttlMs).toBeGreaterThan(50_000);
      expect(hit!.ttlMs).toBeLessThanOrEqual(60_000);
      expect((await ops.getCachedResponse(queryHash))!.hits).toBe(2);
      // The cache is global: another session's instance under the same prefix sees it.
      const other = await open({ prefix: ops.keys.keyspace.prefix });
      expect((await other.getCachedResponse(queryHash))!.hits).toBe(3);
    });

    it('invalidates a cached response', async () => {
      const ops = await open();
      const id = sessionId();
      await ops.recordResponse({ sessionId: id, queryHash: id, response: 'stale', assistantMessage: { role: 'assistant' } });
      expect(await ops.invalidateCachedResponse(id)).toBe(true);
      expect(await ops.getCachedResponse(id)).toBeNull();
      expect(await ops.invalidateCachedResponse(id)).toBe(false);
      expect(await ops.getSession(id)).toMatchObject({ responses: 1 }); // the session keeps its record
    });

    it('counts concurrent cache hits atomically', async () => {
      const ops = await open();
      const id = sessionId();
      await ops.recordResponse({ sessionId: id, queryHash: id, response: 1, assistantMessage: { role: 'assistant' } });
      const hits = await Promise.all(Array.from({ length: 50 }, () => ops.getCachedResponse(id).then((h) => h!.hits)));
      expect([...hits].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    });

    it('trims the window and expires the cache entry on its own TTL', async () => {
      const ops = await open();
      const id = sessionId();
      for (let i = 0; i < 3; i++) {
        await ops.recordResponse({
          sessionId: id,
          queryHash: `${id}-q${i}`,
          response: i,
          userMessage: { role: 'user', i },
          assistantMessage: { role: 'assistant', i },
          maxMessages: 3,
          cacheTtlMs: i === 2 ? 100 : 60_000,
        });
      }
      expect((await ops.getMessages(id)).map((m) => `${m.role}${m.i}`)).toEqual(['assistant1', 'user2', 'assistant2']);
      expect(await ops.getSession(id)).toMatchObject({ messageCount: 6, storedMessages: 3, responses: 3 });
      await eventually(async () => (await ops.getCachedResponse(`${id}-q2`)) === null, 'the short cache entry to expire');
      expect(await ops.getCachedResponse(`${id}-q1`)).not.toBeNull();
    });

    it(`sends ${t.kind === 'cluster' ? 'the two halves in one pipeline' : 'one atomic script call'}`, async () => {
      const ops = await open();
      const id = sessionId();
      // Warm the script cache (the standalone cross-slot path's own EVAL fallback is not counted as one).
      await ops.recordResponse({ sessionId: `${id}-warm`, queryHash: id, response: 1, assistantMessage: { role: 'assistant' } });
      const sent = () => ops.redis.stats.commands - ops.redis.stats.noscriptFallbacks;
      const before = sent();
      await ops.recordResponse({ sessionId: id, queryHash: id, response: 1, assistantMessage: { role: 'assistant' } });
      expect(sent() - before).toBe(t.kind === 'cluster' ? 2 : 1);
    });

    it('a failure between the session half and the cache half never half-writes the session; a retry heals it', async () => {
      const ops = await open();
      const id = sessionId();
      const queryHash = `crash-${id}`;
      const cacheKey = ops.keys.cacheEntry(queryHash);
      const meta = ops.keys.session(id).meta;
      if (t.kind === 'cluster') expect(ops.redis.hashSlot(cacheKey)).not.toBe(ops.redis.hashSlot(meta));
      // Make the cache write fail: its key holds a string.
      await ops.redis.command({ command: ['SET', cacheKey, 'not a hash'], keys: [cacheKey] });
      const input = {
        sessionId: id,
        queryHash,
        response: 'r',
        userMessage: { role: 'user', content: 'q' },
        assistantMessage: { role: 'assistant', content: 'r' },
        inputTokens: 5,
        operationId: 'rec',
      };
      await expect(ops.recordResponse(input)).rejects.toBeInstanceOf(ScriptError);
      if (t.kind === 'cluster') {
        // The session half ran completely, the cache half did not.
        expect(await ops.getSession(id)).toMatchObject({ messageCount: 2, responses: 1, inputTokens: 5 });
      } else {
        // One script: it stopped before writing anything.
        expect(await ops.getSession(id)).toBeNull();
      }
      await ops.redis.command({ command: ['DEL', cacheKey], keys: [cacheKey] });
      expect(await ops.recordResponse(input)).toEqual({ messageCount: 2 });
      expect(await ops.getSession(id)).toMatchObject({ messageCount: 2, responses: 1, inputTokens: 5 });
      expect(await ops.getMessages(id)).toEqual([input.userMessage, input.assistantMessage]);
      expect(await ops.getCachedResponse(queryHash)).toMatchObject({ response: 'r', hits: 1 });
    });
  });

  describe('session-scoped cache', () => {
    it('records in one script call on every topology and keeps entries under the session tag', async () => {
      const ops = await open({ cacheScope: 'session' });
      const id = sessionId();
      const sent = () => ops.redis.stats.commands - ops.redis.stats.noscriptFallbacks;
      const before = sent();
      await ops.recordResponse({
        sessionId: id,
        queryHash: 'q',
        response: { a: 1 },
        assistantMessage: { role: 'assistant' },
        cacheTtlMs: 60_000,
      });
      expect(sent() - before).toBe(1);
      await expect(ops.getCachedResponse('q')).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', argument: 'sessionId' });
      const hit = await ops.getCachedResponse('q', { sessionId: id });
      expect(hit).toMatchObject({ response: { a: 1 }, hits: 1 });
      expect(hit!.ttlMs).toBeGreaterThan(50_000);
      expect((await ops.getCachedResponse('q', { sessionId: id }))!.hits).toBe(2);
      expect(await ops.getCachedResponse('q', { sessionId: sessionId('other') })).toBeNull();
      await ops.recordResponse({ sessionId: id, queryHash: 'q2', response: 2, assistantMessage: { role: 'assistant' } });
      expect(await ops.invalidateCachedResponse('q2', { sessionId: id })).toBe(true);
      expect(await ops.invalidateCachedResponse('q2', { sessionId: id })).toBe(false);
      expect(await ops.getCachedResponse('q2', { sessionId: id })).toBeNull();
      expect(await ops.getCachedResponse('q', { sessionId: id })).toMatchObject({ hits: 3 });
      const keys = await snapshot(ops);
      const slots = new Set([...keys.keys()].map((k) => ops.redis.hashSlot(k)));
      expect(slots.size).toBe(1);
      await ops.deleteSession(id);
      expect(await ops.getCachedResponse('q', { sessionId: id })).toBeNull();
      expect((await snapshot(ops)).size).toBe(0);
    });

    it('expires an entry on its own TTL and prunes it on a later record', async () => {
      const ops = await open({ cacheScope: 'session' });
      const id = sessionId();
      const rec = (q: string, cacheTtlMs: number) =>
        ops.recordResponse({ sessionId: id, queryHash: q, response: q, assistantMessage: { role: 'assistant' }, cacheTtlMs });
      await rec('short', 50);
      await rec('forever', 0);
      expect((await ops.getCachedResponse('forever', { sessionId: id }))!.ttlMs).toBeNull();
      const { scache, scachex } = ops.keys.session(id);
      // Wait until the server clock passed the entry's expiry, without reading it (a read would remove it).
      const score = await ops.redis.command<string | number>({ command: ['ZSCORE', scachex, 'short'], keys: [scachex] });
      expect(Number(score)).toBeGreaterThan(0);
      await eventually(async () => (await serverTimeMs(ops, scache)) > Number(score), 'the entry to be past its expiry');
      await rec('later', 60_000);
      expect(await ops.redis.command({ command: ['HEXISTS', scache, 'r|short'], keys: [scache] })).toBe(0);
      expect(await ops.redis.command({ command: ['ZSCORE', scachex, 'short'], keys: [scachex] })).toBeNull();
      expect(await ops.getCachedResponse('short', { sessionId: id })).toBeNull();
      expect(await ops.getCachedResponse('forever', { sessionId: id })).toMatchObject({ response: 'forever' });
    });
  });

  describe('handoff', () => {
    it('sets the agent, records agents used, context and history, and holds the lock until released', async () => {
      const ops = await open();
      const id = sessionId();
      await ops.appendMessage(id, { role: 'user', content: 'I want a refund' });
      const h1 = await ops.handoff({ sessionId: id, fromAgent: 'triage', toAgent: 'billing', context: { reason: 'refund' } });
      expect(h1).toMatchObject({ handoffCount: 1 });
      expect(typeof h1.token).toBe('string');
      let info = await ops.getSession(id);
      expect(info).toMatchObject({
        currentAgent: 'billing',
        agentsUsed: ['billing', 'triage'],
        handoffs: 1,
        handoffContext: { reason: 'refund' },
        handoffLocked: true,
        lastHandoffAt: h1.at,
        updatedAt: h1.at,
        messageCount: 1,
      });
      // Appends are not blocked by the handoff lock.
      expect(await ops.appendMessage(id, { role: 'assistant', content: 'billing here' })).toBe(2);
      const blocked = await ops.handoff({ sessionId: id, fromAgent: 'billing', toAgent: 'refunds' }).catch((e: unknown) => e);
      expect(blocked).toBeInstanceOf(HandoffInProgressError);
      expect(blocked).toMatchObject({ code: 'ERR_HANDOFF_IN_PROGRESS', sessionId: id });
      expect((blocked as HandoffInProgressError).retryAfterMs).toBeGreaterThan(0);

      expect(await ops.releaseHandoffLock(id, 'not-the-token')).toBe(false);
      expect((await ops.getSession(id))!.handoffLocked).toBe(true);
      expect(await ops.releaseHandoffLock(id, h1.token)).toBe(true);
      expect(await ops.releaseHandoffLock(id, h1.token)).toBe(false);

      const h2 = await ops.handoff({ sessionId: id, fromAgent: 'billing', toAgent: 'refunds', lockTtlMs: 5000 });
      expect(h2.handoffCount).toBe(2);
      expect(await ops.releaseHandoffLock(id, h1.token)).toBe(false); // an old token cannot release a new lock
      expect(await ops.releaseHandoffLock(id, h2.token)).toBe(true);
      info = await ops.getSession(id);
      expect(info).toMatchObject({
        currentAgent: 'refunds',
        agentsUsed: ['billing', 'refunds', 'triage'],
        handoffs: 2,
        handoffContext: null,
        handoffLocked: false,
      });
      expect(await ops.getHandoffHistory(id)).toEqual([
        { at: h1.at, from: 'triage', to: 'billing', context: { reason: 'refund' } },
        { at: h2.at, from: 'billing', to: 'refunds', context: null },
      ]);
      expect(await ops.getHandoffHistory(id, { last: 1 })).toHaveLength(1);
    });

    it('refuses a handoff from an agent that does not hold the session, unless told not to check', async () => {
      const ops = await open();
      const id = sessionId();
      const h = await ops.handoff({ sessionId: id, fromAgent: 'a', toAgent: 'b' });
      await ops.releaseHandoffLock(id, h.token);
      const before = await snapshot(ops);
      const err = await ops.handoff({ sessionId: id, fromAgent: 'a', toAgent: 'c' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HandoffConflictError);
      expect(err).toMatchObject({ code: 'ERR_HANDOFF_CONFLICT', expectedAgent: 'a', currentAgent: 'b' });
      expect(await snapshot(ops)).toEqual(before);
      const forced = await ops.handoff({ sessionId: id, fromAgent: 'a', toAgent: 'c', checkCurrentAgent: false });
      expect(forced.handoffCount).toBe(2);
      expect((await ops.getSession(id))!.currentAgent).toBe('c');
    });

    it('lets exactly one of two racing handoffs win', async () => {
      const a = await open();
      const b = await open({ prefix: a.keys.keyspace.prefix });
      for (let round = 0; round < 25; round++) {
        const id = sessionId(`race${round}`);
        const h = await a.handoff({ sessionId: id, fromAgent: 'triage', toAgent: 'router' });
        await a.releaseHandoffLock(id, h.token);
        const results = await Promise.allSettled([
          a.handoff({ sessionId: id, fromAgent: 'router', toAgent: 'billing' }),
          b.handoff({ sessionId: id, fromAgent: 'router', toAgent: 'support' }),
        ]);
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost[0]!.reason).toBeInstanceOf(HandoffInProgressError);
        const winner = results[0]!.status === 'fulfilled' ? 'billing' : 'support';
        const info = await a.getSession(id);
        expect(info).toMatchObject({ currentAgent: winner, handoffs: 2 });
        // Once the winner releases, the loser's retry fails the agent check: the session moved on.
        const { token } = (won[0] as PromiseFulfilledResult<{ token: string }>).value;
        expect(await a.releaseHandoffLock(id, token)).toBe(true);
        await expect(b.handoff({ sessionId: id, fromAgent: 'router', toAgent: 'support' })).rejects.toBeInstanceOf(
          HandoffConflictError,
        );
      }
    });

    it('frees the lock when its TTL passes', async () => {
      const ops = await open();
      const id = sessionId();
      await ops.handoff({ sessionId: id, fromAgent: 'a', toAgent: 'b', lockTtlMs: 100 });
      await expect(ops.handoff({ sessionId: id, fromAgent: 'b', toAgent: 'c' })).rejects.toBeInstanceOf(HandoffInProgressError);
      await eventually(async () => !(await ops.getSession(id))!.handoffLocked, 'the lock to expire');
      expect((await ops.handoff({ sessionId: id, fromAgent: 'b', toAgent: 'c' })).handoffCount).toBe(2);
    });

    it('keeps at most maxHandoffHistory entries', async () => {
      const ops = await open({ maxHandoffHistory: 2 });
      const id = sessionId();
      const agents = ['a', 'b', 'c', 'd'];
      for (let i = 0; i < 3; i++) {
        const h = await ops.handoff({ sessionId: id, fromAgent: agents[i]!, toAgent: agents[i + 1]! });
        await ops.releaseHandoffLock(id, h.token);
      }
      expect((await ops.getHandoffHistory(id)).map((e) => e.to)).toEqual(['c', 'd']);
      expect((await ops.getSession(id))!.handoffs).toBe(3);
    });
  });

  describe('TTLs and keys', () => {
    it('moves the TTLs of all session keys together, and gives the lock its own', async () => {
      const ops = await open({ cacheScope: 'session' });
      const id = sessionId();
      await ops.appendMessage(id, { role: 'user' }, { operationId: 'o1', ttlMs: 1_000_000 });
      await ops.recordResponse({ sessionId: id, queryHash: 'q', response: 1, assistantMessage: { role: 'assistant' }, ttlMs: 1_000_000 });
      await ops.handoff({ sessionId: id, fromAgent: 'a', toAgent: 'b', ttlMs: 1_000_000, lockTtlMs: 60_000 });
      let ttls = await sessionTtls(ops, id);
      expect(Object.keys(ttls).sort()).toEqual([...SESSION_KEY_NAMES].sort());
      for (const v of Object.values(ttls)) expect(v).toBeGreaterThan(990_000);
      const lock = (await sessionTtls(ops, id, true)).lock!;
      expect(lock).toBeGreaterThan(0);
      expect(lock).toBeLessThanOrEqual(60_000);

      await ops.appendMessage(id, { role: 'user' }, { ttlMs: 0 });
      ttls = await sessionTtls(ops, id);
      expect(new Set(Object.values(ttls))).toEqual(new Set([-1]));

      await ops.appendMessage(id, { role: 'user' }, { ttlMs: 30_000 });
      ttls = await sessionTtls(ops, id);
      for (const v of Object.values(ttls)) {
        expect(v).toBeGreaterThan(25_000);
        expect(v).toBeLessThanOrEqual(30_000);
      }
      expect(Object.keys(ttls)).toHaveLength(SESSION_KEY_NAMES.length);
      expect((await sessionTtls(ops, id, true)).lock).toBeLessThanOrEqual(60_000);
    });

    it('treats ids with : { } * ? [ and unicode as data: a and a:b never meet', async () => {
      const ops = await open();
      const ids = ['a', 'a:b', '{a}', 'a}', '*', 'a*', '?', '[a]', 'ü', '😀:{x}', 'a%3Ab'];
      for (const [i, id] of ids.entries()) await ops.appendMessage(id, { role: 'user', i });
      for (const [i, id] of ids.entries()) {
        expect(await ops.getMessages(id)).toEqual([{ role: 'user', i }]);
        const keys = Object.values(ops.keys.session(id));
        expect(new Set(keys.map((k) => ops.redis.hashSlot(k))).size).toBe(1);
      }
      expect(await ops.deleteSession('a')).toBe(true);
      expect(await ops.getSession('a')).toBeNull();
      for (const id of ids.slice(1)) expect(await ops.getSession(id)).not.toBeNull();
      expect(await ops.deleteSession('a')).toBe(false);
    });

    it('deleteSession removes every key of the session and nothing else', async () => {
      const ops = await open({ cacheScope: 'session' });
      const id = sessionId();
      const keep = sessionId('keep');
      await ops.appendMessage(keep, { role: 'user' });
      const kept = await snapshot(ops);
      await ops.appendMessage(id, { role: 'user' }, { operationId: 'x' });
      await ops.recordResponse({ sessionId: id, queryHash: 'q', response: 1, assistantMessage: { role: 'assistant' } });
      await ops.handoff({ sessionId: id, fromAgent: 'a', toAgent: 'b' });
      expect((await snapshot(ops)).size).toBe(kept.size + SESSION_KEY_NAMES.length + 1);
      expect(await ops.deleteSession(id)).toBe(true);
      expect(await snapshot(ops)).toEqual(kept);
    });
  });
});

describe('construction', () => {
  it('accepts a URL and closes the connection it made', async () => {
    const { getTopologies } = await import('@x/tooling/vitest');
    const ops = new AtomicOperations(getTopologies().standalone.url, { prefix: 'construct-test' });
    expect(ops.redis.ownsConnection).toBe(true);
    await ops.appendMessage('s', { role: 'user' }, { ttlMs: 1000 });
    await ops.deleteSession('s');
    await ops.close();
    // Use after close names the closed object; the adapter it made is closed too.
    await expect(ops.getSession('s')).rejects.toMatchObject({ code: 'ERR_CLOSED', object: 'AtomicOperations' });
    await expect(ops.redis.command({ command: ['PING'] })).rejects.toMatchObject({ code: 'ERR_CONNECTION_CLOSED' });
  });
});
