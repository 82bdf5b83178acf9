import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTopologies } from '@x/tooling/vitest';
import { rawRedis } from './_raw-redis.js';
import { atomicOps } from '../src/index.js';

// Every atomic-ops script run directly with EVALSHA/EVAL on a real server, without the adapter.
describe('atomic-ops/*.lua on a real Redis', () => {
  const client = createClient({ url: getTopologies().standalone.url, RESP: 2 });
  const { run, call, hgetall, serverTimeMs: serverNow, deleteByPrefix } = rawRedis(client);
  const prefix = `t:lua-atomic-ops-${randomBytes(4).toString('hex')}`;
  let n = 0;

  /** The session keys of a fresh session, in the order the write scripts take them. */
  const session = () => {
    const tag = `{${prefix}:s${++n}}`;
    const k = (name: string) => `${prefix}:${tag}:${name}`;
    return {
      meta: k('meta'),
      messages: k('messages'),
      agents: k('agents'),
      handoffs: k('handoffs'),
      ops: k('ops'),
      opslog: k('opslog'),
      scache: k('scache'),
      scachex: k('scachex'),
      lock: k('lock'),
    };
  };
  type Session = ReturnType<typeof session>;
  const eight = (s: Session) => [s.meta, s.messages, s.agents, s.handoffs, s.ops, s.opslog, s.scache, s.scachex];


  beforeAll(async () => {
    await client.connect();
  });
  afterAll(async () => {
    await deleteByPrefix(prefix);
    await client.close();
  });

  it('declares its KEYS and ARGV in the headers the way the package calls them', () => {
    expect(atomicOps.append.keys).toEqual(['meta', 'messages', 'agents', 'handoffs', 'ops', 'opslog', 'scache', 'scachex']);
    expect(atomicOps.append.variadicArgs).toBe(true);
    expect(atomicOps.recordResponse.numberOfKeys).toBe(8);
    expect(atomicOps.recordResponse.variadicKeys).toBe(true);
    expect(atomicOps.handoff.numberOfKeys).toBe(9);
    expect(atomicOps.getSession.numberOfKeys).toBe(5);
    for (const s of Object.values(atomicOps)) expect(s.source).not.toMatch(/^--!include/m);
  });

  describe('append.lua', () => {
    it('pushes, counts, trims, stamps server time and sets one TTL on every existing session key', async () => {
      const s = session();
      const before = await serverNow();
      expect(await run(atomicOps.append, eight(s), [3, 60_000, '', 100, '{"role":"a"}', '{"role":"b"}'])).toEqual([1, 2]);
      // A key the session's `keys` field lists gets the TTL too (handoff.lua creates agents this way).
      await call('SADD', s.agents, 'x');
      await call('HSET', s.meta, 'keys', 'a');
      expect(await run(atomicOps.append, eight(s), [3, 60_000, '', 100, '{"role":"c"}', '{"role":"d"}'])).toEqual([1, 4]);
      expect(await call('LRANGE', s.messages, '0', '-1')).toEqual(['{"role":"b"}', '{"role":"c"}', '{"role":"d"}']);
      const meta = await hgetall(s.meta);
      expect(meta.count).toBe('4');
      expect(Number(meta.createdAt)).toBeGreaterThanOrEqual(before);
      expect(Number(meta.updatedAt)).toBeGreaterThanOrEqual(Number(meta.createdAt));
      for (const key of [s.meta, s.messages, s.agents]) {
        const pttl = Number(await call('PTTL', key));
        expect(pttl).toBeGreaterThan(55_000);
        expect(pttl).toBeLessThanOrEqual(60_000);
      }
      expect(await call('EXISTS', s.ops, s.opslog, s.scache, s.scachex, s.lock)).toBe(0);
      // ttlMs 0 persists them all; maxMessages 0 keeps everything.
      expect(await run(atomicOps.append, eight(s), [0, 0, '', 100, '{"role":"e"}'])).toEqual([1, 5]);
      for (const key of [s.meta, s.messages, s.agents]) expect(await call('PTTL', key)).toBe(-1);
      expect(await call('LLEN', s.messages)).toBe(4);
    });

    it('replays a known operation id, refuses one of another kind, and bounds the ids it remembers', async () => {
      const s = session();
      expect(await run(atomicOps.append, eight(s), [0, 60_000, 'op-1', 2, '{"role":"a"}'])).toEqual([1, 1]);
      expect(await run(atomicOps.append, eight(s), [0, 60_000, 'op-1', 2, '{"role":"a"}'])).toEqual([2, 1]);
      expect(await call('LLEN', s.messages)).toBe(1);
      expect(await call('HGET', s.ops, 'op-1')).toBe('append:1');
      await call('HSET', s.ops, 'rec', 'record:7');
      expect(await run(atomicOps.append, eight(s), [0, 60_000, 'rec', 2, '{"role":"a"}'])).toEqual([0, 'record']);
      await call('HDEL', s.ops, 'rec');
      await run(atomicOps.append, eight(s), [0, 60_000, 'op-2', 2, '{"role":"a"}']);
      await run(atomicOps.append, eight(s), [0, 60_000, 'op-3', 2, '{"role":"a"}']);
      expect(await call('LRANGE', s.opslog, '0', '-1')).toEqual(['op-2', 'op-3']);
      expect((await call('HKEYS', s.ops)) as string[]).toEqual(expect.arrayContaining(['op-2', 'op-3']));
      expect(await call('HLEN', s.ops)).toBe(2);
      expect(Number(await call('PTTL', s.ops))).toBeGreaterThan(55_000);
    });
  });

  describe('record-response.lua', () => {
    const args = (mode: string, over: Partial<Record<string, string | number>> = {}) => {
      const a = {
        maxMessages: 0,
        ttlMs: 60_000,
        operationId: '',
        maxOperationIds: 100,
        inputTokens: 10,
        outputTokens: 4,
        latencyMs: '2.5',
        cacheMode: mode,
        queryHash: 'qh',
        response: '"answer"',
        cacheTtlMs: 30_000,
        ...over,
      };
      return [...Object.values(a), '{"role":"user"}', '{"role":"assistant"}'];
    };

    it("mode 'none': session totals only", async () => {
      const s = session();
      expect(await run(atomicOps.recordResponse, eight(s), args('none'))).toEqual([1, 2]);
      expect(await run(atomicOps.recordResponse, eight(s), args('none', { latencyMs: '0.25' }))).toEqual([1, 4]);
      expect(await hgetall(s.meta)).toMatchObject({ count: '4', responses: '2', inputTokens: '20', outputTokens: '8', latencyMs: '2.75' });
      expect(await call('EXISTS', s.scache, s.scachex)).toBe(0);
    });

    it("mode 'global': writes the entry passed as KEYS[9] first; a WRONGTYPE there writes nothing", async () => {
      const s = session();
      const entry = `${prefix}:{${prefix}:qh-${n}}:cache`;
      await call('SET', entry, 'string');
      await expect(run(atomicOps.recordResponse, [...eight(s), entry], args('global'))).rejects.toThrow(/WRONGTYPE/);
      expect(await call('EXISTS', ...eight(s))).toBe(0);
      await call('DEL', entry);
      expect(await run(atomicOps.recordResponse, [...eight(s), entry], args('global'))).toEqual([1, 2]);
      expect(await hgetall(entry)).toMatchObject({ response: '"answer"', hits: '0' });
      const pttl = Number(await call('PTTL', entry));
      expect(pttl).toBeGreaterThan(25_000);
      expect(pttl).toBeLessThanOrEqual(30_000);
    });

    it("mode 'session': the entry lives in the session's cache hash and expiry zset", async () => {
      const s = session();
      const now = await serverNow();
      expect(await run(atomicOps.recordResponse, eight(s), args('session'))).toEqual([1, 2]);
      expect(await hgetall(s.scache)).toMatchObject({ 'r|qh': '"answer"', 'h|qh': '0' });
      const score = Number(await call('ZSCORE', s.scachex, 'qh'));
      expect(score).toBeGreaterThanOrEqual(now + 30_000);
      expect(score).toBeLessThan(now + 40_000);
      await run(atomicOps.recordResponse, eight(s), args('session', { queryHash: 'forever', cacheTtlMs: 0 }));
      expect(await call('ZSCORE', s.scachex, 'forever')).toBe('inf');
    });

    it('replays a known operation id without touching anything', async () => {
      const s = session();
      expect(await run(atomicOps.recordResponse, eight(s), args('session', { operationId: 'r1' }))).toEqual([1, 2]);
      const meta = await hgetall(s.meta);
      expect(await run(atomicOps.recordResponse, eight(s), args('session', { operationId: 'r1' }))).toEqual([2, 2]);
      expect(await hgetall(s.meta)).toEqual(meta);
      expect(await run(atomicOps.recordResponse, eight(s), args('session', { operationId: 'r1', cacheMode: 'none' }))).toEqual([2, 2]);
    });

    it('refuses a known operation id with other content, writing nothing', async () => {
      const s = session();
      expect(await run(atomicOps.recordResponse, eight(s), args('none', { operationId: 'r2' }))).toEqual([1, 2]);
      const meta = await hgetall(s.meta);
      const recorded = String(await call('HGET', s.ops, 'r2'));
      expect(recorded).toMatch(/^record\.[0-9a-f]{40}:2$/);
      expect(await run(atomicOps.recordResponse, eight(s), args('none', { operationId: 'r2', response: '"another"' }))).toEqual([0, recorded.slice(0, -2)]);
      // Other metrics are the same record measured again (a re-run after a crash): a replay, the first figures stand.
      for (const metrics of [{ inputTokens: 11 }, { latencyMs: '2.4' }]) {
        expect(await run(atomicOps.recordResponse, eight(s), args('none', { operationId: 'r2', ...metrics }))).toEqual([2, 2]);
      }
      expect(await hgetall(s.meta)).toEqual(meta);
      expect(await call('LLEN', s.messages)).toBe(2);
    });
  });

  describe('cache scripts', () => {
    it('cache-put.lua writes an entry with hits 0 and its TTL; cache-get.lua counts hits', async () => {
      const entry = `${prefix}:{${prefix}:q-put}:cache`;
      expect(await run(atomicOps.cacheGet, [entry])).toEqual([]);
      const at = Number(await run(atomicOps.cachePut, [entry], ['{"a":1}', 10_000]));
      expect(at).toBeGreaterThan(0);
      const [response, hits, cachedAt, pttl] = (await run(atomicOps.cacheGet, [entry])) as [string, number, string, number];
      expect([response, hits, Number(cachedAt)]).toEqual(['{"a":1}', 1, at]);
      expect(pttl).toBeGreaterThan(9_000);
      expect(((await run(atomicOps.cacheGet, [entry])) as unknown[])[1]).toBe(2);
      await run(atomicOps.cachePut, [entry], ['{"a":2}', 0]);
      expect(await run(atomicOps.cacheGet, [entry])).toEqual(['{"a":2}', 1, expect.any(String), -1]);
    });

    it('cache-get-session.lua counts hits and removes an expired entry on read; cache-delete-session.lua removes one', async () => {
      const s = session();
      expect(await run(atomicOps.cacheGetSession, [s.scache, s.scachex], ['q'])).toEqual([]);
      const now = await serverNow();
      await call('HSET', s.scache, 'r|q', '"v"', 't|q', String(now), 'h|q', '0');
      await call('ZADD', s.scachex, String(now + 60_000), 'q');
      const hit = (await run(atomicOps.cacheGetSession, [s.scache, s.scachex], ['q'])) as [string, number, string, number];
      expect(hit.slice(0, 3)).toEqual(['"v"', 1, String(now)]);
      expect(hit[3]).toBeGreaterThan(55_000);
      await call('HSET', s.scache, 'r|other', '"o"', 't|other', String(now), 'h|other', '0');
      await call('ZADD', s.scachex, String(now + 60_000), 'other');
      expect(await run(atomicOps.cacheDeleteSession, [s.scache, s.scachex], ['other'])).toBe(1);
      expect(await run(atomicOps.cacheDeleteSession, [s.scache, s.scachex], ['other'])).toBe(0);
      expect(await call('HEXISTS', s.scache, 'r|other')).toBe(0);
      await call('ZADD', s.scachex, String(now - 1), 'q');
      expect(await run(atomicOps.cacheGetSession, [s.scache, s.scachex], ['q'])).toEqual([]);
      expect(await call('EXISTS', s.scache, s.scachex)).toBe(0);
    });
  });

  describe('handoff.lua and release-lock.lua', () => {
    const handoffArgs = (from: string, to: string, token: string, check = '1') => [
      from,
      to,
      `"from":${JSON.stringify(from)},"to":${JSON.stringify(to)},"context":{"k":1}}`,
      '{"k":1}',
      token,
      10_000,
      60_000,
      check,
      2,
    ];

    it('takes the lock, sets the agent, records agents, context and history; refuses while locked', async () => {
      const s = session();
      const keys = [...eight(s), s.lock];
      const [status, count, at] = (await run(atomicOps.handoff, keys, handoffArgs('a', 'b', 't1'))) as number[];
      expect([status, count]).toEqual([1, 1]);
      expect(await call('GET', s.lock)).toBe('t1');
      expect(Number(await call('PTTL', s.lock))).toBeLessThanOrEqual(10_000);
      expect(await hgetall(s.meta)).toMatchObject({ currentAgent: 'b', handoffContext: '{"k":1}', handoffs: '1', lastHandoffAt: String(at) });
      expect(((await call('SMEMBERS', s.agents)) as string[]).sort()).toEqual(['a', 'b']);
      expect(JSON.parse(((await call('LRANGE', s.handoffs, '0', '-1')) as string[])[0]!)).toEqual({ at, from: 'a', to: 'b', context: { k: 1 } });
      expect(Number(await call('PTTL', s.handoffs))).toBeGreaterThan(55_000);
      const held = (await run(atomicOps.handoff, keys, handoffArgs('b', 'c', 't2'))) as number[];
      expect(held[0]).toBe(0);
      expect(held[1]).toBeGreaterThan(0);
      expect(await run(atomicOps.releaseLock, [s.lock], ['t2'])).toBe(0);
      expect(await run(atomicOps.releaseLock, [s.lock], ['t1'])).toBe(1);
      expect(await call('EXISTS', s.lock)).toBe(0);
    });

    it('refuses a fromAgent that is not the current agent unless the check is off; trims the history', async () => {
      const s = session();
      const keys = [...eight(s), s.lock];
      await run(atomicOps.handoff, keys, handoffArgs('a', 'b', 't1'));
      await run(atomicOps.releaseLock, [s.lock], ['t1']);
      const meta = await hgetall(s.meta);
      expect(await run(atomicOps.handoff, keys, handoffArgs('x', 'c', 't2'))).toEqual([-1, 'b']);
      expect(await hgetall(s.meta)).toEqual(meta);
      expect(await call('EXISTS', s.lock)).toBe(0);
      expect(((await run(atomicOps.handoff, keys, handoffArgs('x', 'c', 't3', '0'))) as number[])[0]).toBe(1);
      await run(atomicOps.releaseLock, [s.lock], ['t3']);
      await run(atomicOps.handoff, keys, handoffArgs('c', 'd', 't4'));
      const history = ((await call('LRANGE', s.handoffs, '0', '-1')) as string[]).map((e) => JSON.parse(e).to);
      expect(history).toEqual(['c', 'd']); // maxHandoffHistory 2
    });
  });

  describe('get-session.lua', () => {
    it('returns {} for an unknown session, and meta, agents, lengths and TTLs otherwise', async () => {
      const s = session();
      const five = [s.meta, s.messages, s.agents, s.handoffs, s.lock];
      expect(await run(atomicOps.getSession, five)).toEqual([]);
      await run(atomicOps.append, eight(s), [0, 60_000, '', 100, '{"role":"a"}']);
      await run(atomicOps.handoff, [...eight(s), s.lock], ['a', 'b', '"from":"a","to":"b","context":null}', 'null', 't', 5000, 60_000, '1', 0]);
      const [meta, agents, stored, handoffs, pttl, lockPttl] = (await run(atomicOps.getSession, five)) as [
        string[],
        string[],
        number,
        number,
        number,
        number,
      ];
      expect(meta).toEqual(expect.arrayContaining(['count', '1', 'currentAgent', 'b']));
      expect(agents.sort()).toEqual(['a', 'b']);
      expect([stored, handoffs]).toEqual([1, 1]);
      expect(pttl).toBeGreaterThan(55_000);
      expect(lockPttl).toBeGreaterThan(0);
      expect(lockPttl).toBeLessThanOrEqual(5000);
    });
  });
});
