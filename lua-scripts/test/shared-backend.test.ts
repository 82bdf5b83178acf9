import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTopologies } from '@x/tooling/vitest';
import { rawRedis } from './_raw-redis.js';
import { sharedBackend } from '../src/index.js';

// Every shared-backend script run directly with EVALSHA/EVAL on a real server, without the adapter.
describe('shared-backend/*.lua on a real Redis', () => {
  const client = createClient({ url: getTopologies().standalone.url, RESP: 2 });
  const { run, call, hgetall, serverTimeMs: serverNow, deleteByPrefix } = rawRedis(client);
  const buffers = createClient({ url: getTopologies().standalone.url, RESP: 2 }); // binary replies
  const prefix = `t:lua-shared-backend-${randomBytes(4).toString('hex')}`;
  let n = 0;

  /** A fresh bucket (index + thread keys in one tag) and a fresh registry (three keys in one tag). */
  const bucket = () => {
    const tag = `{${prefix}:b${++n}}`;
    return { index: `${prefix}:${tag}:threads`, thread: (id: string) => `${prefix}:${tag}:thread:${id}` };
  };
  const registry = () => {
    const tag = `{${prefix}:r${++n}}`;
    return [`${prefix}:${tag}:by-chain`, `${prefix}:${tag}:by-uuid`, `${prefix}:${tag}:expiry`] as const;
  };

  /** Rewrites a registry entry's expiry (in both hash values and the ZSET), e.g. into the past. */
  const setExpiry = async (r: readonly [string, string, string], chain: string, uuid: string, score: number) => {
    await call('HSET', r[0], chain, `${score}|${uuid}`);
    await call('HSET', r[1], uuid, `${score}|${chain}`);
    await call('ZADD', r[2], String(score), uuid);
  };
  /** A registry hash without the "<expiry>|" part of its values. */
  const ids = async (key: string) =>
    Object.fromEntries(Object.entries(await hgetall(key)).map(([k, v]) => [k, v.slice(v.indexOf('|') + 1)]));

  /** The id a registry lookup script returns (its reply also carries the server time). */
  const lookup = async (script: typeof sharedBackend.registryGetUuid | typeof sharedBackend.registryGetChain, key: string, id: string) =>
    ((await run(script, [key], [id])) as (string | null)[])[0];

  beforeAll(async () => {
    await client.connect();
    await buffers.connect();
  });
  afterAll(async () => {
    await deleteByPrefix(prefix);
    await client.close();
    await buffers.close();
  });

  it('declares KEYS and ARGV the way the package calls them', () => {
    expect(sharedBackend.bufferAppend.keys).toEqual(['threadKey', 'indexKey', 'opsKey', 'opsLogKey']);
    expect(sharedBackend.bufferAppend.args).toEqual(['threadId', 'slot', 'ttlMs', 'operationId', 'maxOperationIds']);
    expect(sharedBackend.bufferClear.variadicKeys).toBe(true);
    expect(sharedBackend.bufferClear.variadicArgs).toBe(true);
    expect(sharedBackend.registrySet.keys).toEqual(['byChain', 'byUuid', 'expiry']);
    expect(sharedBackend.registryGetUuid.keys).toEqual(['byChain']);
    expect(sharedBackend.registryGetChain.keys).toEqual(['byUuid']);
    for (const s of Object.values(sharedBackend)) {
      expect(s.source).not.toMatch(/^--!include/m);
      expect(s.source).not.toMatch(/redis\.p?call\(\s*['"](KEYS|SCAN)['"]/);
    }
  });

  describe('buffer-append.lua', () => {
    it('with an operation id: applies once, replays the first index, refuses another slot, remembers a bounded number of ids with the thread\'s TTL', async () => {
      const b = bucket();
      const keys = [b.thread('o'), b.index, `${b.thread('o')}:ops`, `${b.thread('o')}:opslog`];
      expect(await run(sharedBackend.bufferAppend, keys, ['o', 'first', 60_000, 'id-1', 2])).toBe(0);
      expect(await run(sharedBackend.bufferAppend, keys, ['o', 'first', 60_000, 'id-1', 2])).toBe(0);
      expect(await run(sharedBackend.bufferAppend, keys, ['o', 'changed', 60_000, 'id-1', 2])).toBe(-1);
      expect(await run(sharedBackend.bufferAppend, keys, ['o', 'plain', 60_000, '', 2])).toBe(1);
      expect(await run(sharedBackend.bufferAppend, keys, ['o', 'second', 60_000, 'id-2', 2])).toBe(2);
      expect(await run(sharedBackend.bufferAppend, keys, ['o', 'third', 60_000, 'id-3', 2])).toBe(3);
      expect(await call('LRANGE', keys[0]!, '0', '-1')).toEqual(['first', 'plain', 'second', 'third']);
      expect(await call('LRANGE', keys[3]!, '0', '-1')).toEqual(['id-2', 'id-3']); // id-1 forgotten: at most 2
      expect(await call('HLEN', keys[2]!)).toBe(2);
      expect(Number(await call('PEXPIRETIME', keys[2]!))).toBe(Number(await call('PEXPIRETIME', keys[0]!)));
      expect(Number(await call('PEXPIRETIME', keys[3]!))).toBe(Number(await call('PEXPIRETIME', keys[0]!)));
      expect(await run(sharedBackend.bufferDelete, keys, ['o'])).toBe(1);
      expect(await call('EXISTS', keys[2]!, keys[3]!)).toBe(0);
    });

    it('pushes binary slots, returns the index, sets PEXPIREAT by the server clock and indexes the thread', async () => {
      const b = bucket();
      const t = b.thread('a');
      const before = await serverNow();
      expect(await run(sharedBackend.bufferAppend, [t, b.index], ['a', Buffer.from([0, 0xff, 0x0d, 0x0a]), 60_000])).toBe(0);
      expect(await run(sharedBackend.bufferAppend, [t, b.index], ['a', 'two', 60_000])).toBe(1);
      const after = await serverNow();
      const raw = (await buffers.sendCommand(['LRANGE', t, '0', '-1'], { typeMapping: { 36: Buffer } } as never)) as Buffer[];
      expect(raw.map((x) => x.toString('hex'))).toEqual(['00ff0d0a', Buffer.from('two').toString('hex')]);
      const score = Number(await call('ZSCORE', b.index, 'a'));
      expect(score).toBeGreaterThanOrEqual(before + 60_000);
      expect(score).toBeLessThanOrEqual(after + 60_000);
      expect(Number(await call('PEXPIRETIME', t))).toBe(score);
      expect(Number(await call('PEXPIRETIME', b.index))).toBe(score);
    });

    it('ttlMs 0 persists the thread and scores it +inf; the index then never expires', async () => {
      const b = bucket();
      await run(sharedBackend.bufferAppend, [b.thread('x'), b.index], ['x', 'a', 60_000]);
      await run(sharedBackend.bufferAppend, [b.thread('y'), b.index], ['y', 'a', 0]);
      expect(await call('ZSCORE', b.index, 'y')).toBe('inf');
      expect(await call('PTTL', b.thread('y'))).toBe(-1);
      expect(await call('PTTL', b.index)).toBe(-1);
      expect(Number(await call('PTTL', b.thread('x')))).toBeGreaterThan(50_000);
    });

    it('keeps the index alive as long as its latest thread, and persistent while it holds a never-expiring one', async () => {
      const b = bucket();
      await run(sharedBackend.bufferAppend, [b.thread('a'), b.index], ['a', 'x', 10_000]);
      const first = Number(await call('PEXPIRETIME', b.index));
      await run(sharedBackend.bufferAppend, [b.thread('a'), b.index], ['a', 'x', 60_000]); // existing thread: GT extends
      const second = Number(await call('PEXPIRETIME', b.index));
      expect(second).toBeGreaterThan(first + 40_000);
      expect(second).toBe(Number(await call('ZSCORE', b.index, 'a')));
      await run(sharedBackend.bufferAppend, [b.thread('a'), b.index], ['a', 'x', 1_000]); // a shorter one never shortens it
      expect(Number(await call('PEXPIRETIME', b.index))).toBe(second);
      await run(sharedBackend.bufferAppend, [b.thread('a'), b.index], ['a', 'x', 0]);
      expect(await call('PTTL', b.index)).toBe(-1);
      await run(sharedBackend.bufferAppend, [b.thread('b'), b.index], ['b', 'x', 60_000]);
      expect(await call('PTTL', b.index)).toBe(-1); // 'a' never expires, so neither does its index
      await run(sharedBackend.bufferAppend, [b.thread('b'), b.index], ['b', 'x', 60_000]);
      expect(await call('PTTL', b.index)).toBe(-1);
    });

    it('drops at most 100 expired index entries per call, oldest first', async () => {
      const b = bucket();
      const now = await serverNow();
      const stale: string[] = [];
      for (let i = 0; i < 150; i++) stale.push(String(now - 10_000 + i), `old-${i}`);
      await call('ZADD', b.index, ...stale);
      await run(sharedBackend.bufferAppend, [b.thread('new'), b.index], ['new', 'x', 60_000]);
      expect(await call('ZCARD', b.index)).toBe(51);
      expect(await call('ZSCORE', b.index, 'old-99')).toBeNull();
      expect(await call('ZSCORE', b.index, 'old-100')).not.toBeNull();
    });
  });

  describe('buffer-delete.lua', () => {
    it('deletes the list and its index entry; 1 when it existed', async () => {
      const b = bucket();
      await run(sharedBackend.bufferAppend, [b.thread('a'), b.index], ['a', 'x', 0]);
      await run(sharedBackend.bufferAppend, [b.thread('b'), b.index], ['b', 'x', 0]);
      expect(await run(sharedBackend.bufferDelete, [b.thread('a'), b.index], ['a'])).toBe(1);
      expect(await run(sharedBackend.bufferDelete, [b.thread('a'), b.index], ['a'])).toBe(0);
      expect(await call('EXISTS', b.thread('a'))).toBe(0);
      expect(await call('ZRANGE', b.index, '0', '-1')).toEqual(['b']);
    });
  });

  describe('buffer-scan.lua', () => {
    it('returns live ids page by page, hides expired ones, collects them on the first page only', async () => {
      const b = bucket();
      const now = await serverNow();
      const members: string[] = [];
      for (let i = 0; i < 300; i++) members.push(i % 3 === 0 ? String(now - 5000) : String(now + 60_000), `t${i}`);
      await call('ZADD', b.index, ...members);
      const seen = new Set<string>();
      let cursor = '0';
      let pages = 0;
      do {
        const [next, ...ids] = (await run(sharedBackend.bufferScan, [b.index], [cursor, 20])) as string[];
        if (pages === 0) expect(await call('ZCARD', b.index)).toBe(200); // GC'd before the first page
        ids.forEach((id) => seen.add(id));
        cursor = next!;
        pages++;
      } while (cursor !== '0');
      expect(pages).toBeGreaterThan(1);
      expect(seen.size).toBe(200);
      expect([...seen].every((id) => Number(id.slice(1)) % 3 !== 0)).toBe(true);
    });

    it('hides expired entries even where GC has not run (small set, one page)', async () => {
      const b = bucket();
      const now = await serverNow();
      await call('ZADD', b.index, String(now - 5), 'old', String(now + 60_000), 'live', '+inf', 'forever');
      const [next, ...ids] = (await run(sharedBackend.bufferScan, [b.index], ['0', 100])) as string[];
      expect(next).toBe('0');
      expect(ids.sort()).toEqual(['forever', 'live']);
    });
  });

  describe('buffer-clear.lua', () => {
    it('deletes the given threads and their entries, and refuses mismatched keys and ids', async () => {
      const b = bucket();
      for (const id of ['a', 'b', 'c']) await run(sharedBackend.bufferAppend, [b.thread(id), b.index], [id, 'x', 0]);
      expect(await run(sharedBackend.bufferClear, [b.index, b.thread('a'), b.thread('b'), b.thread('gone')], ['a', 'b', 'gone'])).toBe(2);
      expect(await call('ZRANGE', b.index, '0', '-1')).toEqual(['c']);
      await expect(run(sharedBackend.bufferClear, [b.index, b.thread('c')], [])).rejects.toThrow(/1 thread keys but 0 ids/);
      expect(await call('EXISTS', b.thread('c'))).toBe(1);
      const ops = (id: string) => [`${b.thread(id)}:ops`, `${b.thread(id)}:opslog`];
      await run(sharedBackend.bufferAppend, [b.thread('c'), b.index, ...ops('c')], ['c', 'y', 0, 'id', 10]);
      expect(await run(sharedBackend.bufferClear, [b.index, b.thread('c'), ops('c')[0]!, ops('c')[1]!], ['c'])).toBe(1);
      expect(await call('EXISTS', b.thread('c'), ...ops('c'))).toBe(0);
    });
  });

  describe('buffer-gc.lua', () => {
    it('removes up to limit expired entries and counts the live ones', async () => {
      const b = bucket();
      const now = await serverNow();
      await call('ZADD', b.index, String(now - 3), 'x1', String(now - 2), 'x2', String(now - 1), 'x3', String(now + 60_000), 'l1', '+inf', 'l2');
      expect(await run(sharedBackend.bufferGc, [b.index], [2])).toEqual([2, 2]);
      expect(await run(sharedBackend.bufferGc, [b.index], [2])).toEqual([1, 2]);
      expect(await run(sharedBackend.bufferGc, [b.index], [2])).toEqual([0, 2]);
    });
  });

  describe('registry scripts', () => {
    it('registry-set maps both ways and replaces stale mappings on both sides atomically', async () => {
      const r = registry();
      const [byChain, byUuid, expiry] = r;
      expect(await run(sharedBackend.registrySet, r, ['c1', 'u1', 60_000])).toBe(0);
      expect(await run(sharedBackend.registrySet, r, ['c1', 'u1', 60_000])).toBe(0);
      expect(await run(sharedBackend.registrySet, r, ['c1', 'u2', 60_000])).toBe(1); // u1 -> c1 dropped
      expect(await ids(byChain)).toEqual({ c1: 'u2' });
      expect(await ids(byUuid)).toEqual({ u2: 'c1' });
      expect(await run(sharedBackend.registrySet, r, ['c2', 'u3', 60_000])).toBe(0);
      expect(await run(sharedBackend.registrySet, r, ['c1', 'u3', 60_000])).toBe(2); // u2 and c2 both stale
      expect(await ids(byChain)).toEqual({ c1: 'u3' });
      expect(await ids(byUuid)).toEqual({ u3: 'c1' });
      expect(await call('ZRANGE', expiry, '0', '-1')).toEqual(['u3']);
      // The expiry sits in both hash values and the ZSET, the same number everywhere.
      const score = String(await call('ZSCORE', expiry, 'u3'));
      expect(await hgetall(byChain)).toEqual({ c1: `${score}|u3` });
      expect(await hgetall(byUuid)).toEqual({ u3: `${score}|c1` });
      for (const key of r) {
        const pttl = Number(await call('PTTL', key));
        expect(pttl).toBeGreaterThan(55_000);
      }
      await run(sharedBackend.registrySet, r, ['a|b', 'c|d', 0]); // "|" in ids is data
      expect(await call('HGET', byChain, 'a|b')).toBe('inf|c|d');
      expect(await lookup(sharedBackend.registryGetUuid, byChain, 'a|b')).toBe('c|d');
      expect(await lookup(sharedBackend.registryGetChain, byUuid, 'c|d')).toBe('a|b');
      for (const key of r) expect(await call('PTTL', key)).toBe(-1); // "a|b" never expires
    });

    it('registry-set keeps the three keys alive past their latest entry, touching their expiry only when needed', async () => {
      const r = registry();
      await run(sharedBackend.registrySet, r, ['c1', 'u1', 60_000]);
      const first = Number(await call('ZSCORE', r[2], 'u1'));
      for (const key of r) expect(Number(await call('PEXPIRETIME', key))).toBe(first); // a new registry: exactly its entry
      await run(sharedBackend.registrySet, r, ['c2', 'u2', 120_000]);
      const second = Number(await call('ZSCORE', r[2], 'u2'));
      for (const key of r) expect(Number(await call('PEXPIRETIME', key))).toBe(second + 120_000); // pushed, with slack = min(ttlMs, 1 h)
      await run(sharedBackend.registrySet, r, ['c3', 'u3', 120_000]); // still covered: not touched
      for (const key of r) expect(Number(await call('PEXPIRETIME', key))).toBe(second + 120_000);
      await run(sharedBackend.registrySet, r, ['c4', 'u4', 0]);
      for (const key of r) expect(await call('PTTL', key)).toBe(-1);
      await run(sharedBackend.registrySet, r, ['c5', 'u5', 1000]); // u4 never expires: stays persistent
      for (const key of r) expect(await call('PTTL', key)).toBe(-1);
    });

    it('registry-set collects expired mappings on the way', async () => {
      const r = registry();
      const [byChain, byUuid, expiry] = r;
      const now = await serverNow();
      await setExpiry(r, 'old-c', 'old-u', now - 10);
      await run(sharedBackend.registrySet, r, ['c', 'u', 60_000]);
      expect(await ids(byChain)).toEqual({ c: 'u' });
      expect(await ids(byUuid)).toEqual({ u: 'c' });
      expect(await call('ZRANGE', expiry, '0', '-1')).toEqual(['u']);
    });

    it('registry-get-uuid / get-chain read expired mappings as absent, and return the clock they judged by', async () => {
      const r = registry();
      const [byChain, byUuid] = r;
      await run(sharedBackend.registrySet, r, ['c', 'u', 60_000]);
      await run(sharedBackend.registrySet, r, ['cf', 'uf', 0]);
      expect(await lookup(sharedBackend.registryGetUuid, byChain, 'c')).toBe('u');
      expect(await lookup(sharedBackend.registryGetChain, byUuid, 'u')).toBe('c');
      expect(await lookup(sharedBackend.registryGetChain, byUuid, 'uf')).toBe('cf');
      expect(await lookup(sharedBackend.registryGetUuid, byChain, 'nope')).toBeNull();
      // The reply carries TIME as read by the script: between two readings taken around it.
      const before = await serverNow();
      const [value, sec, usec] = (await run(sharedBackend.registryGetUuid, [byChain], ['c'])) as [string, string, string];
      const after = await serverNow();
      expect(value).toBe('u');
      const judgedAt = Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
      expect(judgedAt).toBeGreaterThanOrEqual(before);
      expect(judgedAt).toBeLessThanOrEqual(after);
      await setExpiry(r, 'c', 'u', (await serverNow()) - 1);
      expect(await lookup(sharedBackend.registryGetUuid, byChain, 'c')).toBeNull();
      expect(await lookup(sharedBackend.registryGetChain, byUuid, 'u')).toBeNull();
      expect(await call('HEXISTS', byUuid, 'u')).toBe(1); // reads never write; GC removes it later
    });

    it('include/shared-backend-registry.lua: an entry is alive through its expiry millisecond, Redis\' own rule', async () => {
      const { readFileSync } = await import('node:fs');
      const helper = readFileSync(new URL('../src/include/shared-backend-registry.lua', import.meta.url), 'utf8');
      // TIME's reply given as ARGV, so the edges of the microsecond field are checked exactly.
      const source = `${helper}\nreturn { sb_registry_live_at(ARGV[3], { ARGV[1], ARGV[2] }) }`;
      const at = async (usec: string, value: string) =>
        ((await client.sendCommand(['EVAL', source, '0', '1795309449', usec, value])) as (string | null)[])[0] ?? null;
      const now = 1795309449 * 1000 + 123;
      expect(await at('123999', `${now}|id`)).toBe('id');
      expect(await at('123000', `${now}|id`)).toBe('id');
      expect(await at('0', `${now}|id`)).toBe('id');
      expect(await at('124000', `${now}|id`)).toBeNull();
      expect(await at('123999', `${now - 1}|id`)).toBeNull();
      expect(await at('999999', 'inf|a|b')).toBe('a|b');
    });

    it('registry-delete removes both directions; 0 for unknown or expired (which it still cleans)', async () => {
      const r = registry();
      const [byChain, byUuid, expiry] = r;
      await run(sharedBackend.registrySet, r, ['c1', 'u1', 60_000]);
      await run(sharedBackend.registrySet, r, ['c2', 'u2', 60_000]);
      expect(await run(sharedBackend.registryDelete, r, ['u1'])).toBe(1);
      expect(await run(sharedBackend.registryDelete, r, ['u1'])).toBe(0);
      await setExpiry(r, 'c2', 'u2', (await serverNow()) - 1);
      expect(await run(sharedBackend.registryDelete, r, ['u2'])).toBe(0);
      expect(await call('EXISTS', byChain, byUuid, expiry)).toBe(0);
    });

    it('registry-scan pages live pairs; registry-gc and registry-clear', async () => {
      const r = registry();
      for (let i = 0; i < 200; i++) await run(sharedBackend.registrySet, r, [`c${i}`, `u${i}`, 60_000]);
      await setExpiry(r, 'c0', 'u0', (await serverNow()) - 1);
      await setExpiry(r, 'c1', 'u1', (await serverNow()) - 1);
      const pairs = new Map<string, string>();
      let cursor = '0';
      do {
        const [next, ...flat] = (await run(sharedBackend.registryScan, r, [cursor, 25])) as string[];
        for (let i = 0; i < flat.length; i += 2) pairs.set(flat[i]!, flat[i + 1]!);
        cursor = next!;
      } while (cursor !== '0');
      expect(pairs.size).toBe(198);
      expect(pairs.get('u7')).toBe('c7');
      expect(pairs.has('u0')).toBe(false);
      await setExpiry(r, 'c5', 'u5', (await serverNow()) - 1);
      expect(await run(sharedBackend.registryGc, r, [100])).toEqual([1, 197]);
      expect(await run(sharedBackend.registryClear, r)).toBe(197);
      expect(await call('EXISTS', ...r)).toBe(0);
    });
  });
});
