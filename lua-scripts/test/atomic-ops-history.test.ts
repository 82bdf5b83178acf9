import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTopologies } from '@x/tooling/vitest';
import { rawRedis } from './_raw-redis.js';
import { atomicOps } from '../src/index.js';

// atomic-ops/replace-suffix.lua and atomic-ops/pop-message.lua run directly with EVALSHA/EVAL
// on a real server, without the adapter.
describe('atomic-ops history edits (replace-suffix.lua, pop-message.lua) on a real Redis', () => {
  const client = createClient({ url: getTopologies().standalone.url, RESP: 2 });
  const { run, call, hgetall, deleteByPrefix } = rawRedis(client);
  const prefix = `t:lua-atomic-ops-history-${randomBytes(4).toString('hex')}`;
  let n = 0;

  const session = () => {
    const tag = `{${prefix}:s${++n}}`;
    const k = (name: string) => `${prefix}:${tag}:${name}`;
    return [k('meta'), k('messages'), k('agents'), k('handoffs'), k('ops'), k('opslog'), k('scache'), k('scachex')];
  };
  const list = (keys: string[]) => call('LRANGE', keys[1]!, 0, -1) as Promise<string[]>;
  /** replace-suffix ARGV: maxMessages, ttlMs, operationId, maxOperationIds, kind, expectedCount, ...messages */
  const replace = (keys: string[], opts: { max?: number; ttl?: number; op?: string; kind?: string }, expected: string[] | null, replacement: string[]) =>
    run(atomicOps.replaceSuffix, keys, [
      opts.max ?? 0,
      opts.ttl ?? 60_000,
      opts.op ?? '',
      100,
      opts.kind ?? 'tx',
      expected === null ? -1 : expected.length,
      ...(expected ?? []),
      ...replacement,
    ]);

  beforeAll(async () => {
    await client.connect();
  });
  afterAll(async () => {
    await deleteByPrefix(prefix);
    await client.close();
  });

  it('declares the session keys and a variadic message tail', () => {
    expect(atomicOps.replaceSuffix.keys).toEqual(['meta', 'messages', 'agents', 'handoffs', 'ops', 'opslog', 'scache', 'scachex']);
    expect(atomicOps.replaceSuffix.args).toEqual(['maxMessages', 'ttlMs', 'operationId', 'maxOperationIds', 'kind', 'expectedCount', 'messages']);
    expect(atomicOps.replaceSuffix.variadicArgs).toBe(true);
    expect(atomicOps.popMessage.keys).toHaveLength(8);
    expect(atomicOps.popMessage.args).toEqual(['ttlMs', 'operationId', 'maxOperationIds']);
  });

  it('appends with an empty expected suffix, counting and setting the TTL', async () => {
    const s = session();
    expect(await replace(s, {}, [], ['a', 'b'])).toEqual([1, 2]);
    expect(await replace(s, {}, [], ['c'])).toEqual([1, 3]);
    expect(await list(s)).toEqual(['a', 'b', 'c']);
    expect((await hgetall(s[0]!)).count).toBe('3');
    expect(Number(await call('PTTL', s[1]!))).toBeGreaterThan(50_000);
    expect(Number(await call('PTTL', s[0]!))).toBeGreaterThan(50_000);
  });

  it('replaces a matching suffix, and leaves everything untouched on a mismatch', async () => {
    const s = session();
    await replace(s, {}, [], ['a', 'b', 'c', 'd']);
    expect(await replace(s, {}, ['c', 'd'], ['X'])).toEqual([1, 5]);
    expect(await list(s)).toEqual(['a', 'b', 'X']);
    const before = await hgetall(s[0]!);
    // Wrong content, too long, a prefix instead of the suffix: refused, nothing written.
    expect(await replace(s, { op: 'op-1' }, ['b', 'Y'], ['Z'])).toEqual([-1, 3]);
    expect(await replace(s, {}, ['q', 'a', 'b', 'X'], ['Z'])).toEqual([-1, 3]);
    expect(await replace(s, {}, ['a', 'b'], ['Z'])).toEqual([-1, 3]);
    expect(await list(s)).toEqual(['a', 'b', 'X']);
    expect(await hgetall(s[0]!)).toEqual(before);
    expect(await call('EXISTS', s[4]!)).toBe(0); // the refused op id was not remembered
    // The whole list as the suffix; an empty replacement removes it.
    expect(await replace(s, {}, ['a', 'b', 'X'], [])).toEqual([1, 5]);
    expect(await list(s)).toEqual([]);
  });

  it('replaces everything with expectedCount -1 and trims to maxMessages', async () => {
    const s = session();
    await replace(s, {}, [], ['a', 'b', 'c']);
    expect(await replace(s, { max: 2 }, null, ['x', 'y', 'z'])).toEqual([1, 6]);
    expect(await list(s)).toEqual(['y', 'z']);
    expect(await replace(s, { max: 3 }, ['z'], ['1', '2', '3', '4'])).toEqual([1, 10]);
    expect(await list(s)).toEqual(['2', '3', '4']);
  });

  it('replays a known operation id of the same kind and refuses it under another kind', async () => {
    const s = session();
    expect(await replace(s, { op: 'op', kind: 'tx.aaa' }, [], ['a'])).toEqual([1, 1]);
    expect(await replace(s, { op: 'op', kind: 'tx.aaa' }, [], ['a'])).toEqual([2, 1]);
    expect(await replace(s, { op: 'op', kind: 'tx.bbb' }, [], ['b'])).toEqual([0, 'tx.aaa']);
    expect(await list(s)).toEqual(['a']);
    // A replay is answered before the suffix is looked at.
    await replace(s, {}, [], ['b']);
    expect(await replace(s, { op: 'op', kind: 'tx.aaa' }, [], ['a'])).toEqual([2, 1]);
    expect(await list(s)).toEqual(['a', 'b']);
    expect(Number(await call('PTTL', s[4]!))).toBeGreaterThan(50_000);
  });

  it('refuses a bad kind and fewer messages than expectedCount', async () => {
    const s = session();
    await expect(replace(s, { kind: 'a:b' }, [], ['x'])).rejects.toThrow(/kind/);
    await expect(run(atomicOps.replaceSuffix, s, [0, 0, '', 1, 'tx', 3, 'a'])).rejects.toThrow(/expectedCount/);
    expect(await call('EXISTS', s[0]!, s[1]!)).toBe(0);
  });

  it('pops the last message, refreshes TTLs, and leaves an empty session untouched', async () => {
    const s = session();
    expect(await run(atomicOps.popMessage, s, [60_000, '', 10])).toEqual([1, '']);
    expect(await call('EXISTS', s[0]!)).toBe(0);
    await replace(s, { ttl: 0 }, [], ['a', 'b']);
    expect(await run(atomicOps.popMessage, s, [30_000, '', 10])).toEqual([1, 'b']);
    expect(await list(s)).toEqual(['a']);
    const pttl = Number(await call('PTTL', s[1]!));
    expect(pttl).toBeGreaterThan(20_000);
    expect(pttl).toBeLessThanOrEqual(30_000);
    expect((await hgetall(s[0]!)).count).toBe('2');
    expect(await run(atomicOps.popMessage, s, [30_000, '', 10])).toEqual([1, 'a']);
    expect(await run(atomicOps.popMessage, s, [30_000, '', 10])).toEqual([1, '']);
  });

  it('with an operation id, remembers what it removed: a retry returns it and removes nothing more', async () => {
    const s = session();
    await replace(s, { ttl: 0 }, [], ['a', 'b']);
    expect(await run(atomicOps.popMessage, s, [30_000, 'pop-1', 10])).toEqual([1, 'b']);
    expect(await run(atomicOps.popMessage, s, [30_000, 'pop-1', 10])).toEqual([2, 'b']);
    expect(await list(s)).toEqual(['a']);
    expect(Number(await call('PTTL', s[4]!))).toBeGreaterThan(20_000);
    expect(await run(atomicOps.popMessage, s, [30_000, 'pop-2', 10])).toEqual([1, 'a']);
    expect(await run(atomicOps.popMessage, s, [30_000, 'pop-3', 10])).toEqual([1, '']);
    await replace(s, { ttl: 0 }, [], ['c']);
    expect(await run(atomicOps.popMessage, s, [30_000, 'pop-3', 10])).toEqual([2, '']); // the first answer: none
    expect(await list(s)).toEqual(['c']);
    // an id of another kind of operation is refused, nothing written
    await replace(s, { op: 'op-r', kind: 'tx' }, [], ['d']);
    expect(await run(atomicOps.popMessage, s, [30_000, 'op-r', 10])).toEqual([0, 'tx']);
    expect(await list(s)).toEqual(['c', 'd']);
  });

  it('with an operation id on an unknown session, remembers the id for ttlMs without creating the session', async () => {
    const s = session();
    expect(await run(atomicOps.popMessage, s, [30_000, 'pop-x', 10])).toEqual([1, '']);
    expect(await call('EXISTS', s[0]!, s[1]!)).toBe(0);
    expect(Number(await call('PTTL', s[4]!))).toBeGreaterThan(20_000);
    expect(Number(await call('PTTL', s[5]!))).toBeGreaterThan(20_000);
  });
});
