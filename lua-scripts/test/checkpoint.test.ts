import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTopologies } from '@x/tooling/vitest';
import { rawRedis } from './_raw-redis.js';
import { checkpoint } from '../src/index.js';

// Every checkpoint script run directly with EVALSHA/EVAL on a real server, with
// hand-built arguments (no @x/checkpoint-redis, no adapter). Names here are plain
// ASCII, so the encoded form (0x00/0x01 escaped) is the name itself.
describe('checkpoint/*.lua on a real Redis', () => {
  const client = createClient({ url: getTopologies().standalone.url, RESP: 2 });
  const { run, call: cmd, deleteByPrefix } = rawRedis(client);
  const prefix = `t:lua-checkpoint-${randomBytes(4).toString('hex')}`;
  let n = 0;

  const KEY_NAMES = ['checkpoints', 'metadata', 'by-ns', 'by-id', 'blobs', 'write-order', 'writes', 'pin'];
  const thread = () => {
    const tag = `{${prefix}:t${++n}}`;
    return KEY_NAMES.map((name) => `${prefix}:${tag}:${name}`);
  };

  const frame = (...items: string[]) => items.map((s) => `${Buffer.byteLength(s)}:${s}`).join('');
  const S = '\u0000';
  const idx = (i: number) => (i + 0x80000000).toString(16).padStart(8, '0');


  /** put.lua: channels as [name, version, state, value]; the plain blob field is ns\0name\0version. */
  const put = (keys: string[], ns: string, id: string, parent: string, channels: [string, string, string, string][], opts: { shallow?: boolean; ttl?: number; tokens?: string } = {}) =>
    run(checkpoint.put, keys, [
      ns,
      id,
      parent,
      '',
      opts.shallow ? '1' : '0',
      opts.ttl ?? 0,
      frame('json', `{"id":"${id}"}`, 'json', '{}'),
      opts.tokens ?? '',
      ...channels.flatMap(([name, version, state, value]) => [name, version, `${ns}${S}${name}${S}${version}`, state, value]),
    ]);

  const putWrites = (keys: string[], ns: string, id: string, mode: 'replace' | 'ignore', writes: [string, string, number, string][], shallow = false) =>
    run(checkpoint.putWrites, keys, [
      ns,
      id,
      (mode === 'replace' ? 'r' : 'i').repeat(writes.length),
      shallow ? '1' : '0',
      0,
      ...writes.flatMap(([path, task, i, value]) => {
        const sortKey = `${ns}${S}${id}${S}${path}${S}${task}${S}${idx(i)}`;
        return [sortKey, `${ns}${S}${id}${S}${task}${S}${idx(i)}`, frame(sortKey, task, 'ch', 'json', value)];
      }),
    ]);

  /** The header of a stored record, decoded by the server's cmsgpack. */
  const header = (keys: string[], member: string) =>
    cmd('EVAL', "local _, h = cmsgpack.unpack_one(redis.call('HGET', KEYS[1], ARGV[1])) return h", 1, keys[0]!, member);

  beforeAll(async () => {
    await client.connect();
  });
  afterAll(async () => {
    await deleteByPrefix(prefix);
    await client.close();
  });

  it('every checkpoint script takes the same 8 thread keys, in order', () => {
    for (const s of Object.values(checkpoint)) {
      expect(s.keys).toEqual(['checkpoints', 'metadata', 'byNs', 'byId', 'blobs', 'writeOrder', 'writes', 'pin']);
      expect(s.numberOfKeys).toBe(8);
    }
  });

  it('put stores the record, indexes and new blobs; get-tuple reads latest or by id with blobs and writes', async () => {
    const k = thread();
    await put(k, '', 'c1', '', [['a', 'n1', 'n', 'A1'], ['b', 'n1', 'n', 'B1']]);
    await put(k, '', 'c2', 'c1', [['a', 'n1', 'c', 'A1'], ['b', 'n2', 'n', 'B2']]);
    expect(await cmd('HLEN', k[4]!)).toBe(3);
    expect(await cmd('ZRANGE', k[2]!, 0, -1)).toEqual([`${S}c1`, `${S}c2`]);
    expect(await cmd('ZRANGE', k[3]!, 0, -1)).toEqual([`c1${S}`, `c2${S}`]);
    await putWrites(k, '', 'c2', 'ignore', [['p', 't1', 0, '"w"']]);
    const latest = (await run(checkpoint.getTuple, k, ['', '', 0])) as unknown[];
    // { cursor, n, ns, id, record, present count, (pos, blob no)*, writes count, writes, parent writes count, blob count, blobs }
    expect(latest.slice(0, 4)).toEqual(['', 1, '', 'c2']);
    // the record header (a MessagePack array): flags, parent, (channel, version, field, inline)*
    expect(await header(k, `${S}c2`)).toEqual(['i', 'c1', 'a', 'n1', `${S}a${S}n1`, '', 'b', 'n2', `${S}b${S}n2`, '']); // a points at c1's blob
    expect(latest.slice(5, 10)).toEqual([2, 1, 1, 2, 2]);
    expect(latest[10]).toBe(1);
    expect(String(latest[11])).toContain('"w"');
    expect(latest.slice(12)).toEqual([0, 2, 'A1', 'B2']);
    const first = (await run(checkpoint.getTuple, k, ['', 'c1', 0])) as unknown[];
    expect(first.slice(0, 4)).toEqual(['', 1, '', 'c1']);
    expect(first.slice(-3)).toEqual([2, 'A1', 'B1']);
    expect(await run(checkpoint.getTuple, k, ['', 'nope', 0])).toEqual(['', 0, 0]);
    expect(await run(checkpoint.getTuple, k, ['other-ns', '', 0])).toEqual(['', 0, 0]);
  });

  it('put keeps a fork apart when the same channel version already holds another value', async () => {
    const k = thread();
    await put(k, '', 'root', '', [['x', 'n1', 'n', 'root']]);
    await put(k, '', 'a', 'root', [['x', 'n2', 'n', 'A']]);
    await put(k, '', 'b', 'root', [['x', 'n2', 'n', 'B']]);
    await put(k, '', 'b2', 'b', [['x', 'n2', 'c', 'B']]);
    expect(((await cmd('HKEYS', k[4]!)) as string[]).sort()).toEqual([`${S}x${S}n1`, `${S}x${S}n2`, `${S}x${S}n2${S}b`]);
    expect(((await run(checkpoint.getTuple, k, ['', 'b2', 0])) as unknown[]).at(-1)).toBe('B');
    expect(((await run(checkpoint.getTuple, k, ['', 'a', 0])) as unknown[]).at(-1)).toBe('A');
  });

  it('put keeps a value in the record when it has no version, or is not the stored value of its version', async () => {
    const k = thread();
    await put(k, '', 'c1', '', [['a', 'n1', 'n', 'A1']]);
    // 'c' with another value than the blob of (a, n1); 'i' without a version; 'e' without a value
    await run(checkpoint.put, k, ['', 'c2', 'c1', '', '0', 0, frame('json', '{}', 'json', '{}'), '',
      'a', 'n1', `${S}a${S}n1`, 'c', 'A-changed', 'tasks', '', '', 'i', 'T', 'gone', 'n1', `${S}gone${S}n1`, 'e', '']);
    expect(await cmd('HLEN', k[4]!)).toBe(1); // no blob for any of them
    const reply = (await run(checkpoint.getTuple, k, ['', 'c2', 0])) as unknown[];
    expect(await header(k, `${S}c2`)).toEqual(['i', 'c1', 'a', 'n1', '', 'A-changed', 'tasks', '', '', 'T', 'gone', 'n1', '', '']);
    expect(reply.slice(5)).toEqual([0, 0, 0, 0]); // nothing referenced: no blob sent
    // a 'c' value equal to the blob is referenced, not copied
    await run(checkpoint.put, k, ['', 'c3', 'c1', '', '0', 0, frame('json', '{}', 'json', '{}'), '', 'a', 'n1', `${S}a${S}n1`, 'c', 'A1']);
    expect(((await run(checkpoint.getTuple, k, ['', 'c3', 0])) as unknown[]).slice(5)).toEqual([1, 1, 1, 0, 0, 1, 'A1']);
  });

  it('put with shallow = 1 drops the namespace’s other checkpoints, their writes and their own blobs', async () => {
    const k = thread();
    await put(k, '', 'c1', '', [['a', 'n1', 'n', 'A'], ['b', 'n1', 'n', 'B']], { shallow: true });
    await putWrites(k, '', 'c1', 'ignore', [['', 't', 0, '1']]);
    await put(k, 'sub', 's1', '', [['a', 'n1', 'n', 'SUB']], { shallow: true });
    expect(await put(k, '', 'c2', 'c1', [['a', 'n1', 'c', 'A'], ['b', 'n2', 'n', 'B2']], { shallow: true })).toBe(1);
    expect(((await cmd('HKEYS', k[0]!)) as string[]).sort()).toEqual([`${S}c2`, `sub${S}s1`]);
    expect(((await cmd('HKEYS', k[4]!)) as string[]).sort()).toEqual([`${S}a${S}n1`, `${S}b${S}n2`, `sub${S}a${S}n1`]);
    expect(await cmd('HLEN', k[6]!)).toBe(0);
    // a write to the superseded checkpoint is ignored, a write to a newer one is kept
    expect(await putWrites(k, '', 'c1', 'ignore', [['', 't', 0, '1']], true)).toBe(0);
    expect(await putWrites(k, '', 'c3', 'ignore', [['', 't', 0, '1']], true)).toBe(1);
  });

  it('put-writes: ignore keeps the first write per (task, idx); replace overwrites and moves it', async () => {
    const k = thread();
    expect(await putWrites(k, '', 'c', 'ignore', [['p', 't', 0, '"one"'], ['p', 't', 1, '"two"']])).toBe(2);
    expect(await putWrites(k, '', 'c', 'ignore', [['p', 't', 0, '"changed"']])).toBe(0);
    expect(await putWrites(k, '', 'c', 'replace', [['q', 't', -1, '"err"']])).toBe(1);
    expect(await putWrites(k, '', 'c', 'replace', [['', 't', -1, '"err2"']])).toBe(1);
    expect(await cmd('ZRANGE', k[5]!, 0, -1)).toEqual([
      `${S}c${S}${S}t${S}${idx(-1)}`,
      `${S}c${S}p${S}t${S}${idx(0)}`,
      `${S}c${S}p${S}t${S}${idx(1)}`,
    ]);
    expect(await cmd('HLEN', k[6]!)).toBe(3);
  });

  it('list walks a lex range newest first, filters on metadata tokens, and stops at its budget with a cursor', async () => {
    const k = thread();
    for (let i = 1; i <= 6; i++) {
      await put(k, '', `c${i}`, i > 1 ? `c${i - 1}` : '', [['a', `n${i}`, 'n', `A${i}`]], { tokens: frame('parity', i % 2 ? 'odd' : 'even') });
    }
    const ids = (reply: unknown[]) => {
      const out: string[] = [];
      // blocks: ns, id, record, present n, 2n ints, writes n, writes, parent writes n, parent writes
      let p = 2;
      for (let b = 0; b < Number(reply[1]); b++) {
        out.push(String(reply[p + 1]));
        p += 3;
        const np = Number(reply[p]);
        p += 1 + 2 * np;
        p += 1 + Number(reply[p]);
        p += 1 + Number(reply[p]);
      }
      return out;
    };
    const all = (await run(checkpoint.list, k, ['ns', '(\u0001', `[${S}`, 10, 10, 0])) as unknown[];
    expect(ids(all)).toEqual(['c6', 'c5', 'c4', 'c3', 'c2', 'c1']);
    expect(all[0]).toBe('');
    const limited = (await run(checkpoint.list, k, ['ns', `(${S}c5`, `[${S}`, 2, 2, 0])) as unknown[];
    expect(ids(limited)).toEqual(['c4', 'c3']);
    expect(limited[0]).toBe(`${S}c3`);
    const odd = (await run(checkpoint.list, k, ['id', '+', '-', 10, 3, 0, 'parity', 'odd'])) as unknown[];
    expect(ids(odd)).toEqual(['c5']); // budget 3 examined c6, c5, c4
    expect(odd[0]).toBe(`c4${S}`);
    const missing = (await run(checkpoint.list, k, ['id', '+', '-', 10, 10, 0, 'nothere', ''])) as unknown[];
    expect(ids(missing)).toEqual(['c6', 'c5', 'c4', 'c3', 'c2', 'c1']);
  });

  it('delta-history walks parents, collects open channels’ writes and stops a channel at its seed', async () => {
    const k = thread();
    await put(k, '', 'c1', '', [['m', 'n1', 'n', 'SEED']]);
    await putWrites(k, '', 'c1', 'ignore', [['', 't', 0, '"w1"']]);
    await put(k, '', 'c2', 'c1', [['m', 'n2', 'e', '']]);
    await putWrites(k, '', 'c2', 'ignore', [['', 't', 0, '"w2"']]);
    await put(k, '', 'c3', 'c2', [['m', 'n3', 'e', '']]);
    // writes in these tests are on channel "ch"
    const reply = (await run(checkpoint.deltaHistory, k, ['', 'target', 'c3', 10, 0, 'ch', 'm'])) as unknown[];
    expect(reply[0]).toBe('');
    expect(reply[1]).toBe(2);
    expect(reply[2]).toBe('c2');
    expect(reply[3]).toBe(1);
    expect(String(reply[4])).toContain('"w2"');
    expect(reply[5]).toBe(0);
    expect(reply[6]).toBe('c1');
    expect(reply[7]).toBe(1);
    expect(reply.slice(9)).toEqual([1, 2, 'SEED']); // one seed: channel #2 ("m")
    const stepwise = (await run(checkpoint.deltaHistory, k, ['', 'target', '', 1, 0, 'm'])) as unknown[];
    expect(stepwise.slice(0, 3)).toEqual(['c1', 1, 'c2']);
  });

  it('prune drops the oldest beyond keepLast per namespace in budgets, then sweeps unreferenced blobs', async () => {
    const k = thread();
    for (const ns of ['', 'x']) {
      for (let i = 1; i <= 5; i++) {
        await put(k, ns, `c${i}`, i > 1 ? `c${i - 1}` : '', [['keep', 'n1', i === 1 ? 'n' : 'c', 'K'], ['v', `n${i}`, 'n', `V${i}`]]);
        await putWrites(k, ns, `c${i}`, 'ignore', [['', 't', 0, '1']]);
      }
    }
    // budget 4: 3 from '', 1 from 'x', then resume in 'x'
    expect(await run(checkpoint.prune, k, [2, 4, '', '1'])).toEqual([0, 4, '=x', 0]);
    expect(await run(checkpoint.prune, k, [2, 4, '=x', '1'])).toEqual([1, 2, '', 6]);
    expect(((await cmd('ZRANGE', k[2]!, 0, -1)) as string[])).toEqual([`${S}c4`, `${S}c5`, `x${S}c4`, `x${S}c5`]);
    expect(((await cmd('HKEYS', k[4]!)) as string[]).sort()).toEqual(
      [`${S}keep${S}n1`, `${S}v${S}n4`, `${S}v${S}n5`, `x${S}keep${S}n1`, `x${S}v${S}n4`, `x${S}v${S}n5`].sort(),
    );
    expect(await cmd('HLEN', k[6]!)).toBe(4);
    expect(await cmd('ZCARD', k[5]!)).toBe(4);
  });

  it('pin persists every key and keeps writes from setting a TTL; unpin restores it; writes set TTLs', async () => {
    const k = thread();
    await put(k, '', 'c1', '', [['a', 'n1', 'n', 'A']], { ttl: 60_000 });
    for (const key of [k[0]!, k[2]!, k[3]!, k[4]!]) expect(Number(await cmd('PTTL', key))).toBeGreaterThan(50_000);
    expect(await run(checkpoint.pin, k, ['pin', 0])).toBe(4);
    await put(k, '', 'c2', 'c1', [['a', 'n2', 'n', 'A2']], { ttl: 60_000 });
    for (const key of [k[0]!, k[2]!, k[3]!, k[4]!]) expect(await cmd('PTTL', key)).toBe(-1);
    await run(checkpoint.pin, k, ['unpin', 30_000]);
    expect(await cmd('EXISTS', k[7]!)).toBe(0);
    for (const key of [k[0]!, k[2]!, k[3]!, k[4]!]) expect(Number(await cmd('PTTL', key))).toBeGreaterThan(20_000);
  });
});
