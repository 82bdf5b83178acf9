import type { BaseStore, IndexConfig, Item } from '@langchain/langgraph-checkpoint';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WordHashEmbeddings } from './embeddings.js';

/**
 * Behaviours of LangGraph's `InMemoryStore` that a store may deliberately not
 * share. The suite asserts the flagged behaviour instead of the default, so a
 * flag that does not hold fails too.
 */
export interface StoreQuirks {
  /**
   * `listNamespaces` still lists a namespace whose items were all deleted
   * (`InMemoryStore` keeps the empty map). Default false: such a namespace is gone.
   */
  listsEmptyNamespaces?: boolean;
  /**
   * A get or search earlier in a batch returns the value of a later put *updating*
   * the same item (`InMemoryStore` returns the stored object, which the put then
   * mutates). Default false: reads see the state before the batch.
   */
  readsSeeUpdatesOfTheirBatch?: boolean;
}

/** What {@link describeStoreSuite} needs. */
export interface StoreSuiteOptions<S extends BaseStore = BaseStore> {
  /** Names the describe block. */
  name: string;
  /** A new, empty store (for example under a random key prefix), one per test. */
  create: (options: { index?: IndexConfig }) => S | Promise<S>;
  /** Releases a store made by `create` (close connections, drop its keys). */
  dispose?: (store: S) => unknown;
  /** Deliberate differences from `InMemoryStore` (see {@link StoreQuirks}). */
  quirks?: StoreQuirks;
}

const NS = ['suite', 'mem'];

/**
 * Registers the store validation suite (vitest): the behaviour of LangGraph's
 * `BaseStore` as `InMemoryStore` implements it (get, put, delete, batch
 * semantics, search with filters and paging, semantic search, listNamespaces,
 * namespace validation). Run it with `InMemoryStore` and with your store.
 *
 * ```ts
 * describeStoreSuite({ name: 'InMemoryStore', create: ({ index }) => new InMemoryStore({ index }) });
 * ```
 */
export function describeStoreSuite<S extends BaseStore>(options: StoreSuiteOptions<S>): void {
  const quirks = options.quirks ?? {};
  describe(`store validation: ${options.name}`, () => {
    let stores: S[] = [];
    let store: S;
    const open = async (index?: IndexConfig): Promise<S> => {
      const s = await options.create(index === undefined ? {} : { index });
      stores.push(s);
      return s;
    };
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      for (const s of stores) await options.dispose?.(s);
      stores = [];
    });
    const keysOf = (items: Item[]) => items.map((i) => `${i.namespace.join('/')}#${i.key}`);

    describe('get, put, delete', () => {
      it('returns what was put, with namespace, key and dates', async () => {
        await store.put(NS, 'k1', { text: 'likes tea', n: 1 });
        const item = await store.get(NS, 'k1');
        expect(item).not.toBeNull();
        expect(item!.value).toEqual({ text: 'likes tea', n: 1 });
        expect(item!.key).toBe('k1');
        expect(item!.namespace).toEqual(NS);
        expect(item!.createdAt).toBeInstanceOf(Date);
        expect(item!.updatedAt).toBeInstanceOf(Date);
        expect(item!.updatedAt.getTime()).toBeGreaterThanOrEqual(item!.createdAt.getTime());
      });

      it('returns null for a key never put', async () => {
        await store.put(NS, 'present', { a: 1 });
        expect(await store.get(NS, 'absent')).toBeNull();
        expect(await store.get(['other'], 'present')).toBeNull();
      });

      it('keeps createdAt across an update and moves updatedAt', async () => {
        await store.put(NS, 'k', { v: 1 });
        const first = await store.get(NS, 'k');
        // Copy the times: InMemoryStore hands out its stored object, which the update mutates.
        const [created, updated] = [first!.createdAt.getTime(), first!.updatedAt.getTime()];
        const later = Date.now() + 2;
        while (Date.now() < later) await new Promise((r) => setTimeout(r, 1));
        await store.put(NS, 'k', { v: 2 });
        const second = await store.get(NS, 'k');
        expect(second!.value).toEqual({ v: 2 });
        expect(second!.createdAt.getTime()).toBe(created);
        expect(second!.updatedAt.getTime()).toBeGreaterThan(updated);
      });

      it('replaces the whole value on update (no merge)', async () => {
        await store.put(NS, 'k', { a: 1, b: 2 });
        await store.put(NS, 'k', { c: 3 });
        expect((await store.get(NS, 'k'))!.value).toEqual({ c: 3 });
      });

      it('delete removes the item; deleting a missing key is a no-op', async () => {
        await store.put(NS, 'k', { a: 1 });
        await store.delete(NS, 'k');
        expect(await store.get(NS, 'k')).toBeNull();
        await expect(store.delete(NS, 'never')).resolves.toBeUndefined();
      });

      it('round-trips JSON values (nesting, arrays, unicode, numbers, null)', async () => {
        const value = { s: 'héllo ✓ 日本', n: -1.5e-7, big: 2 ** 53 - 1, t: true, f: false, z: null, arr: [1, 'two', { three: [3] }], o: { deep: { er: {} } } };
        await store.put(NS, 'json', value);
        expect((await store.get(NS, 'json'))!.value).toEqual(value);
      });

      it('keeps keys of different namespaces apart (also a namespace and its child)', async () => {
        await store.put(['a'], 'k', { where: 'a' });
        await store.put(['a', 'b'], 'k', { where: 'a/b' });
        await store.put(['ab'], 'k', { where: 'ab' });
        expect((await store.get(['a'], 'k'))!.value).toEqual({ where: 'a' });
        expect((await store.get(['a', 'b'], 'k'))!.value).toEqual({ where: 'a/b' });
        expect((await store.get(['ab'], 'k'))!.value).toEqual({ where: 'ab' });
        await store.delete(['a'], 'k');
        expect(await store.get(['a', 'b'], 'k')).not.toBeNull();
      });

      it('accepts labels with spaces, unicode, %, {}, * and /', async () => {
        const ns = ['user 1', 'ünï', '50%', '{tag}', '*', 'a/b'];
        await store.put(ns, 'k', { ok: true });
        expect((await store.get(ns, 'k'))!.namespace).toEqual(ns);
      });
    });

    describe('namespace validation', () => {
      for (const [what, ns] of [
        ['a label with a period', ['a.b']],
        ['a label with a colon', ['a:b']],
        ['a label with NUL', ['a\0b']],
        ['an empty label', ['a', '']],
        ['an empty namespace', []],
        ['the reserved root "langgraph"', ['langgraph', 'x']],
      ] as const) {
        it(`put refuses ${what}`, async () => {
          await expect(store.put([...ns], 'k', { a: 1 })).rejects.toThrow();
          expect(await store.search([])).toEqual([]);
        });
      }
      it('get and search refuse a label with a period', async () => {
        await expect(store.get(['a.b'], 'k')).rejects.toThrow();
        await expect(store.search(['a.b'])).rejects.toThrow();
      });
    });

    describe('batch', () => {
      it('returns one result per operation, in order', async () => {
        await store.put(NS, 'x', { v: 1 });
        const [got, put, found, missing, spaces] = await store.batch([
          { namespace: NS, key: 'x' },
          { namespace: NS, key: 'y', value: { v: 2 } },
          { namespacePrefix: NS, limit: 10, offset: 0 },
          { namespace: NS, key: 'nope' },
          { matchConditions: undefined, limit: 100, offset: 0 },
        ]) as unknown[];
        expect((got as Item).value).toEqual({ v: 1 });
        expect(put).toBeNull();
        expect(keysOf(found as Item[])).toEqual(['suite/mem#x']);
        expect(missing).toBeNull();
        expect(spaces).toEqual([NS]);
      });

      it('reads see the state before the batch: a new key put in the batch is not found', async () => {
        const [before, , search] = await store.batch([
          { namespace: NS, key: 'new' },
          { namespace: NS, key: 'new', value: { v: 1 } },
          { namespacePrefix: NS, limit: 10, offset: 0 },
        ]);
        expect(before).toBeNull();
        expect(search).toEqual([]);
        expect((await store.get(NS, 'new'))!.value).toEqual({ v: 1 });
      });

      it(quirks.readsSeeUpdatesOfTheirBatch ? 'a read before an update in the batch shows the update (quirk)' : 'a read before an update in the batch shows the old value', async () => {
        await store.put(NS, 'k', { v: 'old' });
        const [got] = await store.batch([
          { namespace: NS, key: 'k' },
          { namespace: NS, key: 'k', value: { v: 'new' } },
        ]);
        expect((got as Item).value).toEqual({ v: quirks.readsSeeUpdatesOfTheirBatch ? 'new' : 'old' });
        expect((await store.get(NS, 'k'))!.value).toEqual({ v: 'new' });
      });

      it('the last put of a key in a batch wins (a delete too)', async () => {
        await store.batch([
          { namespace: NS, key: 'a', value: { v: 1 } },
          { namespace: NS, key: 'b', value: { v: 1 } },
          { namespace: NS, key: 'a', value: { v: 2 } },
          { namespace: NS, key: 'b', value: null },
        ]);
        expect((await store.get(NS, 'a'))!.value).toEqual({ v: 2 });
        expect(await store.get(NS, 'b')).toBeNull();
      });

      it('serves gets of many namespaces in one batch', async () => {
        const spaces = Array.from({ length: 12 }, (_, i) => ['user', `u${i}`, 'facts']);
        await store.batch(spaces.map((namespace, i) => ({ namespace, key: 'name', value: { i } })));
        const got = await store.batch(spaces.map((namespace) => ({ namespace, key: 'name' })));
        expect(got.map((g) => (g as Item).value.i)).toEqual(spaces.map((_, i) => i));
      });
    });

    describe('search', () => {
      const seed = async () => {
        await store.put(['docs', 'a'], 'd1', { kind: 'note', score: 3, tag: 'x', text: 'red apples' });
        await store.put(['docs', 'a'], 'd2', { kind: 'todo', score: 7, tag: 'y', text: 'green pears' });
        await store.put(['docs', 'a', 'sub'], 'd3', { kind: 'note', score: 5, tag: 'x', text: 'red cherries' });
        await store.put(['docs', 'b'], 'd4', { kind: 'note', score: '9', text: 'blue berries' });
        await store.put(['docsx'], 'd5', { kind: 'note', score: 1 });
      };
      const sorted = (items: Item[]) => keysOf(items).sort();

      it('lists a namespace in creation order (updates keep their place)', async () => {
        for (const k of ['c', 'a', 'b']) await store.put(NS, k, { k });
        await store.put(NS, 'c', { k: 'c2' });
        expect(keysOf(await store.search(NS))).toEqual(['suite/mem#c', 'suite/mem#a', 'suite/mem#b']);
      });

      it('a deleted and re-put key goes to the end', async () => {
        for (const k of ['a', 'b', 'c']) await store.put(NS, k, { k });
        await store.delete(NS, 'a');
        await store.put(NS, 'a', { k: 'a' });
        expect(keysOf(await store.search(NS))).toEqual(['suite/mem#b', 'suite/mem#c', 'suite/mem#a']);
      });

      it('a prefix covers its sub-namespaces, not siblings sharing text', async () => {
        await seed();
        expect(sorted(await store.search(['docs']))).toEqual(['docs/a#d1', 'docs/a#d2', 'docs/a/sub#d3', 'docs/b#d4']);
        expect(sorted(await store.search(['docs', 'a']))).toEqual(['docs/a#d1', 'docs/a#d2', 'docs/a/sub#d3']);
      });

      it('an empty prefix searches everything', async () => {
        await seed();
        expect(await store.search([], { limit: 100 })).toHaveLength(5);
      });

      it('limit defaults to 10; limit and offset page without overlap', async () => {
        for (let i = 0; i < 25; i += 1) await store.put(NS, `k${String(i).padStart(2, '0')}`, { i });
        expect(await store.search(NS)).toHaveLength(10);
        const pages = [];
        for (let offset = 0; offset < 30; offset += 7) pages.push(...(await store.search(NS, { limit: 7, offset })));
        expect(pages.map((p) => p.value.i)).toEqual(Array.from({ length: 25 }, (_, i) => i));
        expect(await store.search(NS, { limit: 0 })).toEqual([]);
      });

      it('pages across namespaces cover every item once', async () => {
        await seed();
        const seen: string[] = [];
        for (let offset = 0; offset < 6; offset += 2) seen.push(...keysOf(await store.search([], { limit: 2, offset })));
        expect(seen.sort()).toEqual(['docs/a#d1', 'docs/a#d2', 'docs/a/sub#d3', 'docs/b#d4', 'docsx#d5']);
      });

      it('sets score undefined without a query', async () => {
        await seed();
        const [first] = await store.search(['docs', 'a'], { limit: 1 });
        expect(first).toHaveProperty('score', undefined);
      });

      it('filters by equality on strings, numbers and booleans', async () => {
        await store.put(NS, 'a', { s: 'x', n: 1, b: true });
        await store.put(NS, 'b', { s: 'y', n: 2, b: false });
        await store.put(NS, 'c', { s: 'x', n: '1', b: 'true' });
        expect(keysOf(await store.search(NS, { filter: { s: 'x' } }))).toEqual(['suite/mem#a', 'suite/mem#c']);
        expect(keysOf(await store.search(NS, { filter: { n: 1 } }))).toEqual(['suite/mem#a']);
        expect(keysOf(await store.search(NS, { filter: { b: false } }))).toEqual(['suite/mem#b']);
        expect(keysOf(await store.search(NS, { filter: { b: true, s: 'x' } }))).toEqual(['suite/mem#a']);
      });

      it('filters null only where the field is null (not missing)', async () => {
        await store.put(NS, 'isnull', { f: null });
        await store.put(NS, 'missing', { g: 1 });
        expect(keysOf(await store.search(NS, { filter: { f: null } }))).toEqual(['suite/mem#isnull']);
      });

      it('$eq and $ne ($ne matches a missing field)', async () => {
        await store.put(NS, 'a', { c: 'red' });
        await store.put(NS, 'b', { c: 'blue' });
        await store.put(NS, 'c', { other: 1 });
        expect(keysOf(await store.search(NS, { filter: { c: { $eq: 'red' } } }))).toEqual(['suite/mem#a']);
        expect(keysOf(await store.search(NS, { filter: { c: { $ne: 'red' } } }))).toEqual(['suite/mem#b', 'suite/mem#c']);
      });

      it('$gt, $gte, $lt, $lte compare as numbers (numeric strings too)', async () => {
        await seed();
        const keys = async (filter: Record<string, unknown>) => sorted(await store.search(['docs'], { filter }));
        expect(await keys({ score: { $gt: 5 } })).toEqual(['docs/a#d2', 'docs/b#d4']);
        expect(await keys({ score: { $gte: 5 } })).toEqual(['docs/a#d2', 'docs/a/sub#d3', 'docs/b#d4']);
        expect(await keys({ score: { $lt: 5 } })).toEqual(['docs/a#d1']);
        expect(await keys({ score: { $lte: 5, $gt: 3 } })).toEqual(['docs/a/sub#d3']);
      });

      it('a range on a non-numeric field matches nothing', async () => {
        await seed();
        expect(await store.search(['docs'], { filter: { text: { $gt: 0 } } })).toEqual([]);
        expect(await store.search(['docs'], { filter: { nothere: { $lt: 100 } } })).toEqual([]);
      });

      it('$in and $nin', async () => {
        await seed();
        expect(sorted(await store.search(['docs'], { filter: { tag: { $in: ['x', 'z'] } } }))).toEqual(['docs/a#d1', 'docs/a/sub#d3']);
        expect(sorted(await store.search(['docs'], { filter: { tag: { $nin: ['x'] } } }))).toEqual(['docs/a#d2', 'docs/b#d4']);
      });

      it('an object or array filter value never equals a stored one', async () => {
        await store.put(NS, 'o', { o: { a: 1 }, arr: [1] });
        expect(await store.search(NS, { filter: { o: { a: 1 } } })).toEqual([]);
        expect(await store.search(NS, { filter: { arr: [1] } })).toEqual([]);
      });

      it('filters and pages together', async () => {
        for (let i = 0; i < 30; i += 1) await store.put(NS, `k${String(i).padStart(2, '0')}`, { even: i % 2 === 0, i });
        const page = await store.search(NS, { filter: { even: true }, limit: 4, offset: 3 });
        expect(page.map((p) => p.value.i)).toEqual([6, 8, 10, 12]);
      });

      it('does not return deleted items', async () => {
        await seed();
        await store.delete(['docs', 'a'], 'd1');
        expect(sorted(await store.search(['docs', 'a']))).toEqual(['docs/a#d2', 'docs/a/sub#d3']);
      });
    });

    describe('semantic search (index)', () => {
      const withIndex = async (fields?: string[]) => {
        const embeddings = new WordHashEmbeddings(64);
        const s = await open({ dims: embeddings.dims, embeddings: embeddings as never, ...(fields ? { fields } : {}) });
        return { s, embeddings };
      };

      it('ranks by similarity to the query, with descending scores', async () => {
        const { s } = await withIndex(['text']);
        await s.put(NS, 'tea', { text: 'the user likes green tea in the morning' });
        await s.put(NS, 'car', { text: 'the car needs new tires' });
        await s.put(NS, 'coffee', { text: 'coffee is too bitter for the user' });
        const found = await s.search(NS, { query: 'green tea', limit: 3 });
        expect(found[0]!.key).toBe('tea');
        const scores = found.map((f) => f.score!);
        expect(scores.every((x) => typeof x === 'number')).toBe(true);
        expect([...scores].sort((a, b) => b - a)).toEqual(scores);
      });

      it('applies the filter before ranking, and pages ranked results', async () => {
        const { s } = await withIndex(['text']);
        await s.put(NS, 'a', { text: 'tea tea tea', lang: 'en' });
        await s.put(NS, 'b', { text: 'tea tea', lang: 'fr' });
        await s.put(NS, 'c', { text: 'tea', lang: 'en' });
        expect((await s.search(NS, { query: 'tea', filter: { lang: 'en' } })).map((f) => f.key).sort()).toEqual(['a', 'c']);
        const all = await s.search(NS, { query: 'tea', limit: 3 });
        const second = await s.search(NS, { query: 'tea', limit: 1, offset: 1 });
        expect(second.map((f) => f.key)).toEqual([all[1]!.key]);
      });

      it('an item put with index: false has no vector and comes after scored ones, without score', async () => {
        const { s } = await withIndex(['text']);
        await s.put(NS, 'plain', { text: 'tea' }, false);
        await s.put(NS, 'indexed', { text: 'tea' });
        const found = await s.search(NS, { query: 'tea' });
        expect(found.map((f) => f.key)).toEqual(['indexed', 'plain']);
        expect(found[1]!.score).toBeUndefined();
      });

      it('embeds only the configured fields (or the put\'s own list)', async () => {
        const { s, embeddings } = await withIndex(['title']);
        await s.put(NS, 'a', { title: 'alpha', body: 'ignored words' });
        await s.put(NS, 'b', { title: 'beta', body: 'body text' }, ['body']);
        expect(embeddings.documents.sort()).toEqual(['alpha', 'body text']);
      });

      it('without an index, query is ignored (creation order, no score)', async () => {
        await store.put(NS, 'first', { text: 'zzz' });
        await store.put(NS, 'second', { text: 'green tea' });
        const found = await store.search(NS, { query: 'green tea' });
        expect(found.map((f) => f.key)).toEqual(['first', 'second']);
        expect(found.every((f) => f.score === undefined)).toBe(true);
      });
    });

    describe('listNamespaces', () => {
      const seed = async () => {
        for (const ns of [
          ['users', 'u1', 'facts'],
          ['users', 'u1', 'prefs'],
          ['users', 'u2', 'facts'],
          ['agents', 'a1'],
          ['agents', 'a1', 'v1'],
        ]) {
          await store.put(ns, 'k', { ns: ns.join('/') });
        }
      };

      it('lists every namespace holding items, sorted', async () => {
        await seed();
        expect(await store.listNamespaces()).toEqual([
          ['agents', 'a1'],
          ['agents', 'a1', 'v1'],
          ['users', 'u1', 'facts'],
          ['users', 'u1', 'prefs'],
          ['users', 'u2', 'facts'],
        ]);
      });

      it('filters by prefix, suffix and both', async () => {
        await seed();
        expect(await store.listNamespaces({ prefix: ['users', 'u1'] })).toEqual([
          ['users', 'u1', 'facts'],
          ['users', 'u1', 'prefs'],
        ]);
        expect(await store.listNamespaces({ prefix: ['users'] })).toHaveLength(3);
        expect(await store.listNamespaces({ suffix: ['facts'] })).toEqual([
          ['users', 'u1', 'facts'],
          ['users', 'u2', 'facts'],
        ]);
        expect(await store.listNamespaces({ prefix: ['users'], suffix: ['prefs'] })).toEqual([['users', 'u1', 'prefs']]);
      });

      it('matches * as any one label', async () => {
        await seed();
        expect(await store.listNamespaces({ prefix: ['users', '*', 'facts'] })).toEqual([
          ['users', 'u1', 'facts'],
          ['users', 'u2', 'facts'],
        ]);
        expect(await store.listNamespaces({ suffix: ['*', 'v1'] })).toEqual([['agents', 'a1', 'v1']]);
      });

      it('maxDepth truncates and drops duplicates', async () => {
        await seed();
        expect(await store.listNamespaces({ maxDepth: 2 })).toEqual([
          ['agents', 'a1'],
          ['users', 'u1'],
          ['users', 'u2'],
        ]);
        expect(await store.listNamespaces({ prefix: ['users'], maxDepth: 1 })).toEqual([['users']]);
      });

      it('pages with limit and offset', async () => {
        await seed();
        const all = await store.listNamespaces();
        expect(await store.listNamespaces({ limit: 2, offset: 1 })).toEqual(all.slice(1, 3));
        expect(await store.listNamespaces({ limit: 0 })).toEqual([]);
      });

      it('a prefix no namespace has lists nothing', async () => {
        await seed();
        expect(await store.listNamespaces({ prefix: ['nobody'] })).toEqual([]);
      });

      it(quirks.listsEmptyNamespaces ? 'still lists a namespace whose items were all deleted (quirk)' : 'drops a namespace once its last item is deleted', async () => {
        await store.put(['gone', 'soon'], 'a', { v: 1 });
        await store.put(['gone', 'soon'], 'b', { v: 1 });
        await store.put(['stays'], 'k', { v: 1 });
        await store.delete(['gone', 'soon'], 'a');
        expect(await store.listNamespaces({ prefix: ['gone'] })).toEqual([['gone', 'soon']]);
        await store.delete(['gone', 'soon'], 'b');
        expect(await store.listNamespaces({ prefix: ['gone'] })).toEqual(quirks.listsEmptyNamespaces ? [['gone', 'soon']] : []);
        expect(await store.listNamespaces()).toContainEqual(['stays']);
      });
    });
  });
}
