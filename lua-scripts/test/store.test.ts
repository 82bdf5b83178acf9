import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTopologies } from '@x/tooling/vitest';
import { rawRedis } from './_raw-redis.js';
import { store } from '../src/index.js';

// store/batch.lua run directly with EVALSHA/EVAL on a real server, with hand-built
// arguments (no @x/langgraph-store, no adapter). Namespaces are plain ASCII labels
// joined by '.', which is their encoded form.
describe('store/*.lua on a real Redis', () => {
  const client = createClient({ url: getTopologies().standalone.url, RESP: 2 });
  const { run, call: cmd, deleteByPrefix, serverTimeMs } = rawRedis(client);
  const prefix = `t:lua-store-${randomBytes(4).toString('hex')}`;
  let n = 0;
  const NAMES = ['items', 'meta', 'vectors', 'order', 'namespaces', 'counts', 'expiry', 'seq'];
  const shard = () => {
    const tag = `{${prefix}:s${++n}}`;
    return NAMES.map((name) => `${prefix}:${tag}:${name}`);
  };
  const batch = (keys: string[], ...ops: (string | number)[][]) => run(store.batch, keys, [100, ...ops.flat()]) as Promise<unknown[]>;
  const P = (ns: string, key: string, value: unknown, ttl = 0, vec = '') => ['P', ns, key, value === null ? '' : JSON.stringify(value), ttl, vec];
  const G = (ns: string, key: string, refresh = '0') => ['G', ns, key, refresh];
  const S = (ns: string, filter: unknown[] | '' = '', offset = 0, limit = 10, budget = 1000, vectors = '0') =>
    ['S', ns, filter === '' ? '' : JSON.stringify(filter), offset, limit, budget, '0', vectors];
  const keysOf = (reply: unknown) => {
    const r = reply as string[];
    const out: string[] = [];
    for (let i = 1; i < r.length; i += 5) out.push(r[i]!.split('\0')[2]!);
    return out;
  };

  beforeAll(async () => {
    await client.connect();
  });
  afterAll(async () => {
    await deleteByPrefix(prefix);
    await client.close();
  });

  it('takes the 8 shard keys in order', () => {
    expect(store.batch.keys).toEqual(['items', 'meta', 'vectors', 'order', 'namespaces', 'counts', 'expiry', 'seq']);
  });

  it('put then get; an update keeps createdAt and the creation order; reads in a call come before its puts', async () => {
    const k = shard();
    const before = await serverTimeMs();
    expect(await batch(k, G('a.b', 'x'), P('a.b', 'x', { v: 1 }))).toEqual([[], 1]);
    const [got] = (await batch(k, G('a.b', 'x'))) as string[][];
    expect(got![0]).toBe('{"v":1}');
    expect(Number(got![1])).toBeGreaterThanOrEqual(before);
    await batch(k, P('a.b', 'y', { v: 2 }), P('a.b', 'x', { v: 3 }));
    const [again, listed] = (await batch(k, G('a.b', 'x'), S('a.b'))) as string[][];
    expect(again![0]).toBe('{"v":3}');
    expect(again![1]).toBe(got![1]);
    expect(keysOf(listed)).toEqual(['x', 'y']);
    expect(await cmd('HGETALL', k[5]!)).toEqual(['a.b', '2']);
  });

  it('a delete drops the item from every structure and the namespace with its last item', async () => {
    const k = shard();
    await batch(k, P('ns', 'a', { v: 1 }, 60_000, 'AAAA'), P('ns.sub', 'b', { v: 1 }));
    expect(await batch(k, ['L', ''])).toEqual([['ns', 'ns.sub']]);
    expect(await batch(k, P('ns', 'a', null), P('ns', 'gone', null))).toEqual([1, 0]);
    expect(await batch(k, ['L', 'ns'])).toEqual([['ns.sub']]);
    for (const i of [0, 1, 2]) expect(await cmd('HEXISTS', k[i]!, 'ns\0a')).toBe(0);
    expect(await cmd('ZCARD', k[6]!)).toBe(0);
    await batch(k, P('ns.sub', 'b', null));
    expect(await cmd('EXISTS', ...k)).toBe(0); // nothing left behind, the counter neither
  });

  it('search ranges: a namespace and those below it, not a sibling sharing text', async () => {
    const k = shard();
    await batch(k, P('a', '1', {}), P('ab', '2', {}), P('a.b', '3', {}), P('a%2A', '4', {}), P('a.b.c', '5', {}));
    expect(keysOf((await batch(k, S('a')))[0])).toEqual(['1', '3', '5']);
    expect(keysOf((await batch(k, S('')))[0]).sort()).toEqual(['1', '2', '3', '4', '5']);
    expect(keysOf((await batch(k, S('a', '', 1, 1)))[0])).toEqual(['3']);
  });

  it('filters with InMemoryStore semantics: ===, Number() ranges, $in/$nin, missing fields', async () => {
    const k = shard();
    await batch(
      k,
      P('f', 'a', { n: 1, s: 'x', b: true, z: null }),
      P('f', 'b', { n: '2', s: 'y', b: false }),
      P('f', 'c', { n: ' 3 ', s: 'Infinity' }),
      P('f', 'd', { n: 'abc', s: '' }),
      P('f', 'e', { n: [4], s: '0x10' }),
    );
    const q = async (filter: unknown[]) => keysOf((await batch(k, S('f', filter)))[0]);
    expect(await q([['n', 'eq', 1]])).toEqual(['a']);
    expect(await q([['n', 'eq', '2']])).toEqual(['b']);
    expect(await q([['z', 'eq', null]])).toEqual(['a']);
    expect(await q([['z', 'ne', null]])).toEqual(['b', 'c', 'd', 'e']);
    expect(await q([['b', 'eq', false]])).toEqual(['b']);
    expect(await q([['n', 'gt', '1']])).toEqual(['b', 'c', 'e']); // '2', ' 3 ' and [4] are numbers to Number()
    expect(await q([['s', 'gt', '1000']])).toEqual(['c']); // Number('Infinity')
    expect(await q([['s', 'lte', '0']])).toEqual(['d']); // Number('') is 0; 'x', 'y' are NaN
    expect(await q([['s', 'eq', '0x10'], ['s', 'gte', '16']])).toEqual(['e']);
    expect(await q([['s', 'in', ['x', 'y', 1]]])).toEqual(['a', 'b']);
    expect(await q([['s', 'nin', ['x', 'y']]])).toEqual(['c', 'd', 'e']);
    expect(await q([['n', 'never', null]])).toEqual([]);
    expect(await q([['n', 'lt', 'Infinity'], ['s', 'eq', 'x']])).toEqual(['a']);
  });

  it('a filtered search stops at the scan budget and says so', async () => {
    const k = shard();
    await batch(k, ...Array.from({ length: 20 }, (_, i) => P('big', `k${String(i).padStart(2, '0')}`, { even: i % 2 === 0 })));
    const [ok] = (await batch(k, S('big', [['even', 'eq', true]], 0, 3, 6))) as unknown[][];
    expect(ok![0]).toBe(1);
    expect(keysOf(ok)).toEqual(['k00', 'k02', 'k04']);
    const [short] = (await batch(k, S('big', [['even', 'eq', true]], 0, 5, 6))) as unknown[][];
    expect(short).toEqual([0]);
  });

  it('returns stored vectors only when asked', async () => {
    const k = shard();
    await batch(k, P('v', 'a', { t: 1 }, 0, 'AAAAPw=='));
    const [plain, withVec] = (await batch(k, S('v'), S('v', '', 0, 10, 1000, '1'))) as string[][];
    expect(plain![5]).toBe('');
    expect(withVec![5]).toBe('AAAAPw==');
  });

  it('expired items are gone for reads and purged by the next call; refresh on read pushes the expiry', async () => {
    const k = shard();
    await batch(k, P('t', 'short', { v: 1 }, 1), P('t', 'long', { v: 1 }, 600_000), P('t', 'forever', { v: 1 }));
    const deadline = (await serverTimeMs()) + 3;
    while ((await serverTimeMs()) < deadline) await new Promise((r) => setTimeout(r, 1));
    expect(await batch(k, G('t', 'short'))).toEqual([[]]);
    expect(await cmd('HEXISTS', k[1]!, 't\0short')).toBe(0);
    expect(await cmd('ZCARD', k[6]!)).toBe(1);
    const before = Number(await cmd('ZSCORE', k[6]!, 't\0long'));
    const later = (await serverTimeMs()) + 2;
    while ((await serverTimeMs()) < later) await new Promise((r) => setTimeout(r, 1));
    await batch(k, G('t', 'long', '1'));
    expect(Number(await cmd('ZSCORE', k[6]!, 't\0long'))).toBeGreaterThan(before);
  });

  it('gives the shard keys a Redis TTL (the last item expiry) only while every item has one', async () => {
    const k = shard();
    await batch(k, P('t', 'a', { v: 1 }, 60_000), P('t', 'b', { v: 1 }, 30_000, 'AAAA'));
    for (const key of [k[0]!, k[1]!, k[2]!, k[3]!, k[4]!, k[5]!, k[6]!, k[7]!]) {
      const pttl = Number(await cmd('PTTL', key));
      expect(pttl).toBeGreaterThan(30_000);
      expect(pttl).toBeLessThanOrEqual(60_000);
    }
    await batch(k, P('t', 'forever', { v: 1 }));
    expect(await cmd('PTTL', k[0]!)).toBe(-1);
    await batch(k, P('t', 'forever', null));
    expect(Number(await cmd('PTTL', k[0]!))).toBeGreaterThan(30_000);
  });

  it('refuses an unknown operation', async () => {
    await expect(batch(shard(), ['X', 'a'])).rejects.toThrow(/unknown store operation/);
  });
});
