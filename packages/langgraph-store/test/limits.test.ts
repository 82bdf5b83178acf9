// The documented bounds: the filter scan limit, the candidates a query ranks, what the
// embeddings must return, and shardDepth.
import { expect, it, vi } from 'vitest';
import { forEachTopology } from '@x/tooling/vitest';
import { isEmbeddingError, isSearchScanLimitError, type RedisStore } from '../src/index.js';
import { WordHashEmbeddings } from '../src/testing/index.js';
import { useStores } from './helpers.js';

forEachTopology(['standalone', 'cluster'], (t) => {
  const { open } = useStores(t, 'limits');
  const NS = ['users', 'u1'];
  const fill = (s: RedisStore, n: number, value: (i: number) => Record<string, unknown>) =>
    s.batch(Array.from({ length: n }, (_, i) => ({ namespace: NS, key: `k${String(i).padStart(3, '0')}`, value: value(i) })));

  it('a filtered search that would examine more than searchScanLimit items fails with SearchScanLimitError', async () => {
    const s = open({ searchScanLimit: 50 });
    await fill(s, 120, (i) => ({ rare: i === 110 }));
    const err = await s.search(NS, { filter: { rare: true } }).catch((e: unknown) => e);
    expect(isSearchScanLimitError(err)).toBe(true);
    expect((err as { code: string }).code).toBe('ERR_STORE_SCAN_LIMIT');
    // matches found within the bound are fine, and so is an unfiltered page far in
    expect(await s.search(NS, { filter: { rare: false }, limit: 5 })).toHaveLength(5);
    expect((await s.search(NS, { offset: 100, limit: 5 })).map((i) => i.key)).toEqual(['k100', 'k101', 'k102', 'k103', 'k104']);
  });

  it('a batch whose search hits searchScanLimit writes none of its puts (other shard or the same)', async () => {
    const s = open({ searchScanLimit: 50 });
    await fill(s, 120, (i) => ({ rare: i === 110 }));
    const other = ['users', 'u2'];
    const err = await s
      .batch([
        { namespacePrefix: NS, filter: { rare: true }, limit: 10, offset: 0 },
        { namespace: NS, key: 'new-here', value: { a: 1 } },
        { namespace: other, key: 'new-there', value: { a: 1 } },
      ])
      .catch((e: unknown) => e);
    expect(isSearchScanLimitError(err)).toBe(true);
    expect(await s.get(NS, 'new-here')).toBeNull();
    expect(await s.get(other, 'new-there')).toBeNull();
    expect(await s.listNamespaces({ prefix: ['users', 'u2'] })).toEqual([]);
  });

  it('a query ranks at most maxCandidates filtered items (the first ones in order)', async () => {
    const embeddings = new WordHashEmbeddings(32);
    const s = open({ maxCandidates: 5, index: { dims: 32, embeddings: embeddings as never, fields: ['text'] } });
    await fill(s, 10, (i) => ({ text: i === 8 ? 'green tea' : `item number ${i}` }));
    const found = await s.search(NS, { query: 'green tea', limit: 10 });
    expect(found).toHaveLength(5);
    expect(found.map((f) => f.key)).not.toContain('k008');
    const all = await open({ prefix: s.keys.keyspace.prefix, index: { dims: 32, embeddings: embeddings as never, fields: ['text'] } }).search(NS, { query: 'green tea', limit: 1 });
    expect(all[0]!.key).toBe('k008');
  });

  it('embeddings returning the wrong number of dimensions fail with EmbeddingError and write nothing', async () => {
    const s = open({ index: { dims: 16, embeddings: new WordHashEmbeddings(8) as never } });
    const err = await s.put(NS, 'k', { text: 'x' }).catch((e: unknown) => e);
    expect(isEmbeddingError(err)).toBe(true);
    expect(await open({ prefix: s.keys.keyspace.prefix }).get(NS, 'k')).toBeNull();
  });

  it('the texts of a batch are embedded in one embedDocuments call, repeated texts once', async () => {
    const embeddings = new WordHashEmbeddings(8);
    const spy = vi.spyOn(embeddings, 'embedDocuments');
    const s = open({ index: { dims: 8, embeddings: embeddings as never, fields: ['text'] } });
    await s.batch([
      { namespace: NS, key: 'a', value: { text: 'same' } },
      { namespace: NS, key: 'b', value: { text: 'same' } },
      { namespace: ['users', 'u2'], key: 'c', value: { text: 'other' } },
    ]);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0]![0]).toEqual(['same', 'other']);
  });

  it('shardDepth 1 keeps every namespace under one first label in one script', async () => {
    const s = open({ shardDepth: 1 });
    await s.batch(['u1', 'u2', 'u3'].map((u) => ({ namespace: ['users', u], key: 'k', value: { u } })));
    const pipeline = vi.spyOn(s.redis, 'pipeline');
    expect(await s.search(['users'])).toHaveLength(3);
    expect(pipeline).toHaveBeenCalledTimes(1); // no registry read: ['users'] is a whole shard
    expect(new Set(['u1', 'u2', 'u3'].map((u) => s.keys.shardOf(['users', u])))).toEqual(new Set(['users']));
  });
});
