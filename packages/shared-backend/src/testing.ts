/**
 * The conformance suite every {@link SharedBackend} implementation must pass,
 * runner-agnostic: pass your test runner's `describe`, `it` and `expect`
 * (vitest's work as they are) and a factory.
 *
 * ```ts
 * import { describe, it, expect } from 'vitest';
 * import { describeSharedBackendConformance } from '@x/shared-backend/testing';
 *
 * describeSharedBackendConformance({ describe, it, expect }, {
 *   name: 'my backend',
 *   create: ({ prefix, ttlMs }) => new MyBackend({ prefix, ttlMs }),
 * });
 * ```
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { InvalidArgumentError } from '@x/redis-adapter';
import type { SharedBackend } from './types.js';
import { isOperationIdConflictError, type OperationIdConflictError } from './errors.js';

export { ManualClock } from './clock.js';

/** The assertions the suite uses; vitest's and jest's `expect` fit. */
export interface ConformanceMatchers {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toBeNull(): void;
  toBeInstanceOf(expected: any): void; // eslint-disable-line @typescript-eslint/no-explicit-any
  toBeGreaterThan(expected: number): void;
  toHaveLength(expected: number): void;
  readonly not: ConformanceMatchers;
}

/** The runner functions the suite registers its tests with. */
export interface ConformanceRunner {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => Promise<void>, timeoutMs?: number): void;
  expect(actual: unknown, message?: string): ConformanceMatchers;
}

/** What a backend factory receives. */
export interface ConformanceCreateOptions {
  /**
   * The tenant. Backends created with the same prefix must share state (as two
   * processes of one deployment would); backends with different prefixes must
   * never see each other's data. Prefixes contain `:` and glob characters.
   */
  prefix: string;
  /** The TTL the backend must give what it writes (0 = never expires). */
  ttlMs: number;
}

/** One implementation under test. */
export interface ConformanceTarget {
  /** Shown in test names. */
  name: string;
  /** Creates a backend. Called several times per test; the suite closes every backend it created. */
  create(options: ConformanceCreateOptions): SharedBackend | Promise<SharedBackend>;
  /**
   * The clock the backends expire by, when the test controls it (the in-memory
   * backend with a `ManualClock`). Without it, TTL tests use real time: a
   * `realTimeTtlMs` TTL and polling until entries are gone.
   */
  clock?: { advance(ms: number): void | Promise<void> };
  /** TTL of the real-time expiry tests (default 1500 ms). */
  realTimeTtlMs?: number;
  /**
   * Empties the server's script cache (`SCRIPT FLUSH` on every node). When
   * given, the suite checks that every operation survives NOSCRIPT.
   */
  flushScripts?: () => Promise<void>;
  /** Size of the concurrency tests (default 8 writers x 40 operations). */
  concurrency?: { writers: number; operations: number };
  /** Number of threads and registry entries of the listing tests (default 300). */
  listingSize?: number;
  /** Per-test timeout in ms (default 30000). */
  timeoutMs?: number;
}

type Make = (ttlMs?: number, prefix?: string) => Promise<SharedBackend>;

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

function hex(bytes: Uint8Array | null): string | null {
  return bytes === null ? null : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function text(bytes: Uint8Array | null): string | null {
  return bytes === null ? null : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

const sorted = <T>(items: T[]): T[] => [...items].sort();

async function settle(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
    return undefined;
  } catch (err) {
    return err;
  }
}

/** Ids that stress key encoding: separators, hash-tag braces, glob characters, spaces, unicode, percent signs. */
export const TRICKY_IDS: readonly string[] = Object.freeze([
  'a',
  'a:b',
  'a*',
  '*',
  'a?c',
  '[ab]',
  '{tag}',
  '}{',
  'with space',
  '%41',
  'A',
  'ünïcødé',
  '🧵 thread',
  'a\\b',
  '\n',
]);

/**
 * Registers the conformance suite for one backend implementation.
 *
 * Covers: buffers (order, indexes, negative indexes, binary slots, copies),
 * listing (ids not keys, complete, each once, while deleting, early exit), the
 * registry (both directions, stale replacement, deletion), TTL expiry and TTL
 * under load, prefix isolation with glob characters in prefixes and ids,
 * concurrent appenders (exactly N*M slots with contiguous indexes), racing
 * `registrySet` (both directions always agree), NOSCRIPT recovery (when the
 * target can flush scripts), bad input rejected with `InvalidArgumentError`
 * and nothing written, and `close()`.
 */
export function describeSharedBackendConformance(runner: ConformanceRunner, target: ConformanceTarget): void {
  const { describe, expect } = runner;
  const timeout = target.timeoutMs ?? 30_000;
  const writers = target.concurrency?.writers ?? 8;
  const operations = target.concurrency?.operations ?? 40;
  const listingSize = target.listingSize ?? 300;

  /** Registers a test whose backends are created through `make` and all closed afterwards. */
  const it = (name: string, body: (make: Make, prefix: string) => Promise<void>) => {
    runner.it(
      name,
      async () => {
        const created: SharedBackend[] = [];
        const prefix = `conf:${randomBytes(5).toString('hex')}`;
        const make: Make = async (ttlMs = 0, p = prefix) => {
          const backend = await target.create({ prefix: p, ttlMs });
          created.push(backend);
          return backend;
        };
        try {
          await body(make, prefix);
        } finally {
          for (const backend of created) {
            try {
              await backend.bufferClear();
              await backend.registryClear();
            } catch {
              // closed by the test, or a test of failures
            }
            await backend.close();
          }
        }
      },
      timeout,
    );
  };

  describe(`SharedBackend conformance: ${target.name}`, () => {
    describe('buffers', () => {
      it('appends return contiguous indexes and reads return the slots in order', async (make) => {
        const b = await make();
        expect(await b.bufferAppend('t', 'zero')).toBe(0);
        expect(await b.bufferAppend('t', 'one')).toBe(1);
        expect(await b.bufferAppend('t', new TextEncoder().encode('two'))).toBe(2);
        expect((await b.bufferGetThread('t')).map(text)).toEqual(['zero', 'one', 'two']);
        expect(await b.bufferThreadLength('t')).toBe(3);
        expect(await b.bufferThreadExists('t')).toBe(true);
        expect(text(await b.bufferGetSlot('t', 0))).toBe('zero');
        expect(text(await b.bufferGetSlot('t', 2))).toBe('two');
        expect(text(await b.bufferGetSlot('t', -1))).toBe('two');
        expect(text(await b.bufferGetSlot('t', -3))).toBe('zero');
        expect(await b.bufferGetSlot('t', 3)).toBeNull();
        expect(await b.bufferGetSlot('t', -4)).toBeNull();
      });

      it('an append with an operation id is applied once: a retry returns the first index, another value under the id is refused', async (make) => {
        const b = await make();
        expect(await b.bufferAppend('op', 'first', { operationId: 'op-1' })).toBe(0);
        expect(await b.bufferAppend('op', 'other')).toBe(1);
        expect(await b.bufferAppend('op', 'first', { operationId: 'op-1' })).toBe(0);
        expect(await Promise.all(Array.from({ length: 20 }, () => b.bufferAppend('op', 'again', { operationId: 'op-2' })))).toEqual(
          Array.from({ length: 20 }, () => 2),
        );
        const conflict = await b.bufferAppend('op', 'changed', { operationId: 'op-1' }).catch((e: unknown) => e);
        expect(isOperationIdConflictError(conflict)).toBe(true);
        expect((conflict as OperationIdConflictError).code).toBe('ERR_OPERATION_ID_CONFLICT');
        expect((conflict as OperationIdConflictError).threadId).toBe('op');
        expect((await b.bufferGetThread('op')).map(text)).toEqual(['first', 'other', 'again']);
        // Ids belong to their thread, and go with it.
        expect(await b.bufferAppend('op-elsewhere', 'first', { operationId: 'op-1' })).toBe(0);
        expect(await b.bufferDeleteThread('op')).toBe(true);
        expect(await b.bufferAppend('op', 'first', { operationId: 'op-1' })).toBe(0);
        expect(await b.bufferThreadLength('op')).toBe(1);
        expect(await b.bufferAppend('op', 'x', { operationId: '' }).catch((e: { code?: string }) => e.code)).toBe('ERR_INVALID_ARGUMENT');
        expect(await b.bufferAppend('op', 'x', { operationID: 'a' } as never).catch((e: { code?: string }) => e.code)).toBe('ERR_UNKNOWN_OPTION');
        expect(await b.bufferThreadLength('op')).toBe(1);
      });

      it('unknown threads read as empty', async (make) => {
        const b = await make();
        expect(await b.bufferGetThread('nope')).toEqual([]);
        expect(await b.bufferGetSlot('nope', 0)).toBeNull();
        expect(await b.bufferGetSlot('nope', -1)).toBeNull();
        expect(await b.bufferThreadLength('nope')).toBe(0);
        expect(await b.bufferThreadExists('nope')).toBe(false);
        expect(await b.bufferDeleteThread('nope')).toBe(false);
      });

      it('slots are binary-safe and returned as Uint8Arrays', async (make) => {
        const b = await make();
        const all = Uint8Array.from({ length: 256 }, (_, i) => i);
        const invalidUtf8 = Uint8Array.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80]);
        const empty = new Uint8Array(0);
        const big = new Uint8Array(randomBytes(1024 * 1024));
        const backing = Uint8Array.from([9, 9, 1, 2, 3, 9, 9]);
        const view = backing.subarray(2, 5);
        await b.bufferAppend('bin', all);
        await b.bufferAppend('bin', invalidUtf8);
        await b.bufferAppend('bin', empty);
        await b.bufferAppend('bin', big);
        await b.bufferAppend('bin', view);
        await b.bufferAppend('bin', 'héllo 🌍');
        const slots = await b.bufferGetThread('bin');
        expect(slots).toHaveLength(6);
        for (const slot of slots) expect(slot).toBeInstanceOf(Uint8Array);
        expect(slots.map(hex)).toEqual(
          [all, invalidUtf8, empty, big, Uint8Array.from([1, 2, 3]), new TextEncoder().encode('héllo 🌍')].map(hex),
        );
        expect(hex(await b.bufferGetSlot('bin', 1))).toBe(hex(invalidUtf8));
        expect(hex(await b.bufferGetSlot('bin', 2))).toBe('');
      });

      it('stored slots are not aliased to the caller’s buffers', async (make) => {
        const b = await make();
        const input = Uint8Array.from([1, 2, 3]);
        await b.bufferAppend('alias', input);
        input[0] = 99;
        const [first] = await b.bufferGetThread('alias');
        expect(hex(first!)).toBe('010203');
        first![1] = 99;
        expect(hex(await b.bufferGetSlot('alias', 0))).toBe('010203');
      });

      it('deleting a thread removes it and only it', async (make) => {
        const b = await make();
        await b.bufferAppend('a', '1');
        await b.bufferAppend('a:b', '2');
        await b.bufferAppend('a*', '3');
        expect(await b.bufferDeleteThread('a')).toBe(true);
        expect(await b.bufferDeleteThread('a')).toBe(false);
        expect(await b.bufferThreadExists('a')).toBe(false);
        expect(await b.bufferThreadExists('a:b')).toBe(true);
        expect(await b.bufferThreadExists('a*')).toBe(true);
        expect(sorted(await collect(b.bufferListThreads()))).toEqual(['a*', 'a:b']);
        expect(await b.bufferAppend('a', 'again')).toBe(0);
      });

      it('ids with separators, braces, glob characters and unicode stay distinct', async (make) => {
        const b = await make();
        for (const [i, id] of TRICKY_IDS.entries()) await b.bufferAppend(id, `slot of ${i}`);
        for (const [i, id] of TRICKY_IDS.entries()) {
          expect((await b.bufferGetThread(id)).map(text), id).toEqual([`slot of ${i}`]);
        }
        expect(sorted(await collect(b.bufferListThreads()))).toEqual(sorted([...TRICKY_IDS]));
        expect(await b.bufferDeleteThread('*')).toBe(true);
        expect(await b.bufferDeleteThread('a?c')).toBe(true);
        expect(sorted(await collect(b.bufferListThreads()))).toEqual(sorted(TRICKY_IDS.filter((id) => id !== '*' && id !== 'a?c')));
      });

      it('clear removes every thread and leaves the registry alone', async (make) => {
        const b = await make();
        for (let i = 0; i < 20; i++) await b.bufferAppend(`t${i}`, 'x');
        await b.registrySet('chain', 'uuid');
        await b.bufferClear();
        expect(await collect(b.bufferListThreads())).toEqual([]);
        expect(await b.bufferThreadExists('t3')).toBe(false);
        expect(await b.registryGetUuid('chain')).toBe('uuid');
        expect(await b.info()).toEqual({ bufferThreads: 0, registryEntries: 1, ttlMs: 0 });
        expect(await b.bufferAppend('t3', 'fresh')).toBe(0);
      });
    });

    describe('listing', () => {
      it('lists every thread id (not a key) exactly once', async (make) => {
        const b = await make();
        const ids = Array.from({ length: listingSize }, (_, i) => `thread-${i}:${i % 7 === 0 ? '*' : 'x'}`);
        await Promise.all(ids.map((id) => b.bufferAppend(id, 'x')));
        const listed = await collect(b.bufferListThreads());
        expect(listed).toHaveLength(ids.length);
        expect(sorted(listed)).toEqual(sorted(ids));
        expect((await b.info()).bufferThreads).toBe(ids.length);
      });

      it('stays complete while the listed threads are deleted, and can be left early', async (make) => {
        const b = await make();
        const ids = Array.from({ length: 60 }, (_, i) => `del-${i}`);
        await Promise.all(ids.map((id) => b.bufferAppend(id, 'x')));
        const visited: string[] = [];
        for await (const id of b.bufferListThreads()) {
          visited.push(id);
          await b.bufferDeleteThread(id);
        }
        expect(sorted(visited)).toEqual(sorted(ids));
        expect(await collect(b.bufferListThreads())).toEqual([]);

        await Promise.all(ids.map((id) => b.bufferAppend(id, 'x')));
        let seen = 0;
        for await (const _ of b.bufferListThreads()) {
          if (++seen === 3) break;
        }
        for await (const _ of b.registryListAll()) break;
        expect(await b.bufferThreadLength('del-1')).toBe(1);
        expect(await collect(b.bufferListThreads())).toHaveLength(60);
      });

      it('lists every registry entry exactly once', async (make) => {
        const b = await make();
        const pairs = Array.from({ length: listingSize }, (_, i) => [`uuid-${i}`, `chain:${i}*`] as [string, string]);
        await Promise.all(pairs.map(([u, c]) => b.registrySet(c, u)));
        const listed = await collect(b.registryListAll());
        expect(listed).toHaveLength(pairs.length);
        expect(sorted(listed.map((p) => p.join('|')))).toEqual(sorted(pairs.map((p) => p.join('|'))));
        expect((await b.info()).registryEntries).toBe(pairs.length);
      });
    });

    describe('registry', () => {
      it('maps both directions', async (make) => {
        const b = await make();
        await b.registrySet('chain-1', 'uuid-1');
        expect(await b.registryGetUuid('chain-1')).toBe('uuid-1');
        expect(await b.registryGetChain('uuid-1')).toBe('chain-1');
        expect(await b.registryGetUuid('chain-2')).toBeNull();
        expect(await b.registryGetChain('uuid-2')).toBeNull();
        await b.registrySet('chain-1', 'uuid-1');
        expect(await collect(b.registryListAll())).toEqual([['uuid-1', 'chain-1']]);
      });

      it('replaces stale mappings in both directions', async (make) => {
        const b = await make();
        await b.registrySet('c', 'u1');
        await b.registrySet('c', 'u2'); // c -> u2: u1 -> c must go
        expect(await b.registryGetUuid('c')).toBe('u2');
        expect(await b.registryGetChain('u1')).toBeNull();
        expect(await b.registryGetChain('u2')).toBe('c');

        await b.registrySet('c2', 'u2'); // u2 moves to c2: c -> u2 must go
        expect(await b.registryGetUuid('c')).toBeNull();
        expect(await b.registryGetUuid('c2')).toBe('u2');
        expect(await b.registryGetChain('u2')).toBe('c2');

        await b.registrySet('c3', 'u3');
        await b.registrySet('c2', 'u3'); // both sides stale at once
        expect(await b.registryGetUuid('c2')).toBe('u3');
        expect(await b.registryGetChain('u3')).toBe('c2');
        expect(await b.registryGetUuid('c3')).toBeNull();
        expect(await b.registryGetChain('u2')).toBeNull();
        expect(await collect(b.registryListAll())).toEqual([['u3', 'c2']]);
        expect((await b.info()).registryEntries).toBe(1);
      });

      it('deletes by uuid in both directions', async (make) => {
        const b = await make();
        await b.registrySet('c1', 'u1');
        await b.registrySet('c2', 'u2');
        expect(await b.registryDelete('u1')).toBe(true);
        expect(await b.registryDelete('u1')).toBe(false);
        expect(await b.registryDelete('never')).toBe(false);
        expect(await b.registryGetUuid('c1')).toBeNull();
        expect(await b.registryGetChain('u1')).toBeNull();
        expect(await collect(b.registryListAll())).toEqual([['u2', 'c2']]);
      });

      it('keeps tricky ids apart', async (make) => {
        const b = await make();
        for (const [i, id] of TRICKY_IDS.entries()) await b.registrySet(id, `uuid:${id}:${i}`);
        for (const [i, id] of TRICKY_IDS.entries()) {
          expect(await b.registryGetUuid(id), id).toBe(`uuid:${id}:${i}`);
          expect(await b.registryGetChain(`uuid:${id}:${i}`), id).toBe(id);
        }
        expect(await collect(b.registryListAll())).toHaveLength(TRICKY_IDS.length);
      });

      it('clear removes every entry and leaves the buffers alone', async (make) => {
        const b = await make();
        await b.registrySet('c1', 'u1');
        await b.registrySet('c2', 'u2');
        await b.bufferAppend('t', 'x');
        await b.registryClear();
        expect(await collect(b.registryListAll())).toEqual([]);
        expect(await b.registryGetUuid('c1')).toBeNull();
        expect(await b.registryGetChain('u2')).toBeNull();
        expect(await b.bufferThreadLength('t')).toBe(1);
        await b.registrySet('c1', 'u1');
        expect(await b.registryGetChain('u1')).toBe('c1');
      });
    });

    describe('sharing and isolation', () => {
      it('backends of one prefix share state', async (make) => {
        const one = await make();
        const two = await make();
        await one.bufferAppend('shared', 'from one');
        expect(await two.bufferAppend('shared', 'from two')).toBe(1);
        await two.registrySet('chain', 'uuid');
        expect((await one.bufferGetThread('shared')).map(text)).toEqual(['from one', 'from two']);
        expect(await one.registryGetChain('uuid')).toBe('chain');
      });

      it('prefixes are isolated, even with glob characters and separators in them', async (make, base) => {
        const suffixes = ['', ':b', '*', '?', '[x]', '{y}', ' z', ':', '\\'];
        const tenants = await Promise.all(suffixes.map((s) => make(0, base + s)));
        for (const [i, t] of tenants.entries()) {
          await t.bufferAppend('t', `tenant ${i}`);
          await t.bufferAppend(`only-${i}`, 'x');
          await t.registrySet('chain', `uuid-${i}`);
        }
        for (const [i, t] of tenants.entries()) {
          expect(sorted(await collect(t.bufferListThreads())), suffixes[i]).toEqual(sorted(['t', `only-${i}`]));
          expect((await t.bufferGetThread('t')).map(text)).toEqual([`tenant ${i}`]);
          expect(await collect(t.registryListAll())).toEqual([[`uuid-${i}`, 'chain']]);
          expect(await t.info()).toEqual({ bufferThreads: 2, registryEntries: 1, ttlMs: 0 });
        }
        const [first, ...rest] = tenants;
        await first!.bufferClear();
        await first!.registryClear();
        expect(await collect(first!.bufferListThreads())).toEqual([]);
        for (const [i, t] of rest.entries()) {
          expect(await t.bufferThreadLength('t'), suffixes[i + 1]).toBe(1);
          expect(await t.registryGetUuid('chain')).toBe(`uuid-${i + 1}`);
        }
      });
    });

    describe('concurrency', () => {
      it(`${writers} concurrent appenders x ${operations} appends -> exactly that many slots, contiguous indexes`, async (make) => {
        const backends = await Promise.all(Array.from({ length: writers }, () => make()));
        const indexes = await Promise.all(
          backends.map(async (b, w) => {
            const mine: number[] = [];
            for (let i = 0; i < operations; i++) mine.push(await b.bufferAppend('race', `${w}:${i}`));
            return mine;
          }),
        );
        const total = writers * operations;
        const flat = indexes.flat();
        expect(sorted(flat.map((n) => String(n).padStart(8, '0')))).toEqual(
          Array.from({ length: total }, (_, i) => String(i).padStart(8, '0')),
        );
        const slots = (await backends[0]!.bufferGetThread('race')).map(text);
        expect(slots).toHaveLength(total);
        indexes.forEach((mine, w) => {
          mine.forEach((index, i) => expect(slots[index]).toBe(`${w}:${i}`));
          for (let i = 1; i < mine.length; i++) expect(mine[i]!).toBeGreaterThan(mine[i - 1]!);
        });
      });

      it('appends fired all at once on one backend get distinct contiguous indexes', async (make) => {
        const b = await make();
        const total = writers * operations;
        const indexes = await Promise.all(Array.from({ length: total }, (_, i) => b.bufferAppend('burst', `s${i}`)));
        expect([...indexes].sort((x, y) => x - y)).toEqual(Array.from({ length: total }, (_, i) => i));
        const slots = (await b.bufferGetThread('burst')).map(text);
        indexes.forEach((index, i) => expect(slots[index]).toBe(`s${i}`));
      });

      it('racing registrySet calls leave both directions in agreement', async (make) => {
        const backends = await Promise.all(Array.from({ length: writers }, () => make()));
        // Half the writers move few chains over many uuids, the other half few uuids over many
        // chains, so both kinds of stale mapping (forward and reverse) keep arising.
        const chains = Array.from({ length: 30 }, (_, i) => `c${i}`);
        const uuids = Array.from({ length: 30 }, (_, i) => `u${i}`);
        let seed = 12345;
        const next = (n: number) => {
          seed = (seed * 1103515245 + 12345) % 2147483648;
          return seed % n;
        };
        const plan = backends.map((_, w) =>
          Array.from({ length: operations }, () =>
            w % 2 === 0 ? ([chains[next(5)]!, uuids[next(30)]!] as const) : ([chains[next(30)]!, uuids[next(5)]!] as const),
          ),
        );
        await Promise.all(
          backends.map(async (b, w) => {
            for (const [c, u] of plan[w]!) {
              await b.registrySet(c, u);
              if (next(10) === 0) await b.registryDelete(uuids[next(30)]!);
            }
          }),
        );
        const b = backends[0]!;
        const pairs = await collect(b.registryListAll());
        const chainOf = new Map(pairs);
        const uuidOf = new Map(pairs.map(([u, c]) => [c, u]));
        expect(chainOf.size).toBe(pairs.length);
        expect(uuidOf.size).toBe(pairs.length);
        for (const c of chains) {
          const u = await b.registryGetUuid(c);
          expect(u ?? null, `uuid of ${c}`).toBe(uuidOf.get(c) ?? null);
          if (u !== null) expect(await b.registryGetChain(u), `chain of ${u}`).toBe(c);
        }
        for (const u of uuids) {
          const c = await b.registryGetChain(u);
          expect(c ?? null, `chain of ${u}`).toBe(chainOf.get(u) ?? null);
          if (c !== null) expect(await b.registryGetUuid(c), `uuid of ${c}`).toBe(u);
        }
        expect((await b.info()).registryEntries).toBe(pairs.length);
      });
    });

    describe('TTL', () => {
      if (target.clock !== undefined) {
        const clock = target.clock;
        it('expired threads and registry entries vanish; appends refresh a thread', async (make) => {
          const b = await make(1000);
          expect((await b.info()).ttlMs).toBe(1000);
          await b.bufferAppend('kept', 'a');
          await b.bufferAppend('dropped', 'a');
          await b.registrySet('chain', 'uuid');
          await clock.advance(600);
          await b.bufferAppend('kept', 'b');
          await clock.advance(600); // dropped + the registry entry are 1200 ms old, kept 600
          expect(await b.bufferThreadExists('dropped')).toBe(false);
          expect(await b.bufferGetThread('dropped')).toEqual([]);
          expect(await b.bufferThreadLength('dropped')).toBe(0);
          expect(await b.bufferGetSlot('dropped', 0)).toBeNull();
          expect(await b.bufferDeleteThread('dropped')).toBe(false);
          expect((await b.bufferGetThread('kept')).map(text)).toEqual(['a', 'b']);
          expect(await collect(b.bufferListThreads())).toEqual(['kept']);
          expect(await b.registryGetUuid('chain')).toBeNull();
          expect(await b.registryGetChain('uuid')).toBeNull();
          expect(await b.registryDelete('uuid')).toBe(false);
          expect(await collect(b.registryListAll())).toEqual([]);
          expect(await b.info()).toEqual({ bufferThreads: 1, registryEntries: 0, ttlMs: 1000 });
          await clock.advance(1001);
          expect(await collect(b.bufferListThreads())).toEqual([]);
          expect(await b.bufferAppend('kept', 'fresh')).toBe(0);
        });

        it('a thread kept busy outlives its TTL many times over while idle ones expire', async (make) => {
          const b = await make(500);
          await b.bufferAppend('idle', 'x');
          await b.registrySet('busy-chain', 'busy-uuid');
          for (let i = 0; i < 20; i++) {
            await b.bufferAppend('busy', `${i}`);
            await b.registrySet('busy-chain', 'busy-uuid');
            await clock.advance(100);
          }
          expect(await b.bufferThreadLength('busy')).toBe(20);
          expect(await b.bufferThreadExists('idle')).toBe(false);
          expect(await b.registryGetUuid('busy-chain')).toBe('busy-uuid');
          expect(await b.info()).toEqual({ bufferThreads: 1, registryEntries: 1, ttlMs: 500 });
        });

        it('ttlMs 0 never expires', async (make) => {
          const b = await make(0);
          await b.bufferAppend('t', 'x');
          await b.registrySet('c', 'u');
          await clock.advance(5 * 365 * 24 * 3600 * 1000);
          expect(await b.bufferThreadExists('t')).toBe(true);
          expect(await b.registryGetUuid('c')).toBe('u');
        });
      } else {
        const ttl = target.realTimeTtlMs ?? 1500;
        it(`entries expire by the server's clock (ttl ${ttl} ms) while a busy thread stays`, async (make) => {
          const b = await make(ttl);
          expect((await b.info()).ttlMs).toBe(ttl);
          await b.bufferAppend('idle', 'x');
          await b.registrySet('chain', 'uuid');
          await b.registrySet('busy-chain', 'busy-uuid');
          let busy = 0;
          const deadline = Date.now() + ttl * 6 + 5000;
          for (;;) {
            await b.bufferAppend('busy', `${busy++}`);
            await b.registrySet('busy-chain', 'busy-uuid');
            const gone =
              !(await b.bufferThreadExists('idle')) &&
              (await b.registryGetUuid('chain')) === null &&
              (await b.registryGetChain('uuid')) === null;
            if (gone) break;
            if (Date.now() > deadline) throw new Error(`entries did not expire within ${ttl * 6 + 5000} ms`);
            await new Promise((r) => setTimeout(r, 50));
          }
          expect(await b.bufferGetThread('idle')).toEqual([]);
          expect(await collect(b.bufferListThreads())).toEqual(['busy']);
          expect(await b.bufferThreadLength('busy')).toBe(busy);
          expect(await collect(b.registryListAll())).toEqual([['busy-uuid', 'busy-chain']]);
          expect(await b.info()).toEqual({ bufferThreads: 1, registryEntries: 1, ttlMs: ttl });
          expect(await b.bufferAppend('idle', 'again')).toBe(0);
        });
      }
    });

    if (target.flushScripts !== undefined) {
      const flush = target.flushScripts;
      describe('NOSCRIPT', () => {
        it('every operation survives a flushed script cache', async (make) => {
          const b = await make();
          await b.bufferAppend('t', 'before');
          await b.registrySet('c', 'u');
          await collect(b.bufferListThreads());
          await b.info();
          const steps: Array<[string, () => Promise<unknown>]> = [
            ['bufferAppend', async () => expect(await b.bufferAppend('t', 'after')).toBe(1)],
            ['bufferDeleteThread', async () => expect(await b.bufferDeleteThread('t')).toBe(true)],
            ['registrySet', () => b.registrySet('c2', 'u2')],
            ['registryGetUuid', async () => expect(await b.registryGetUuid('c2')).toBe('u2')],
            ['registryGetChain', async () => expect(await b.registryGetChain('u2')).toBe('c2')],
            ['registryDelete', async () => expect(await b.registryDelete('u')).toBe(true)],
            ['bufferListThreads', async () => expect(await collect(b.bufferListThreads())).toEqual([])],
            ['registryListAll', async () => expect(await collect(b.registryListAll())).toEqual([['u2', 'c2']])],
            ['info', async () => expect(await b.info()).toEqual({ bufferThreads: 0, registryEntries: 1, ttlMs: 0 })],
            ['bufferClear', () => b.bufferAppend('t2', 'x').then(() => b.bufferClear())],
            ['registryClear', () => b.registryClear()],
          ];
          for (const [, step] of steps) {
            await flush();
            await step();
          }
          expect(await collect(b.bufferListThreads())).toEqual([]);
          expect(await collect(b.registryListAll())).toEqual([]);
        });
      });
    }

    describe('input and lifecycle', () => {
      it('rejects bad input with InvalidArgumentError and writes nothing', async (make) => {
        const b = await make();
        const any = b as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
        const cases: Array<[string, unknown[]]> = [];
        const badIds: unknown[] = ['', 42, null, undefined, {}, ['a'], '\ud800'];
        for (const id of badIds) {
          cases.push(['bufferAppend', [id, 'slot']]);
          for (const m of ['bufferGetThread', 'bufferThreadLength', 'bufferThreadExists', 'bufferDeleteThread']) cases.push([m, [id]]);
          cases.push(['bufferGetSlot', [id, 0]]);
          cases.push(['registrySet', [id, 'uuid']]);
          cases.push(['registrySet', ['chain', id]]);
          cases.push(['registryGetUuid', [id]]);
          cases.push(['registryGetChain', [id]]);
          cases.push(['registryDelete', [id]]);
        }
        for (const slot of [42, null, undefined, {}, [1, 2], true, '\udc00', new ArrayBuffer(2)]) {
          cases.push(['bufferAppend', ['thread', slot]]);
        }
        for (const index of [1.5, Number.NaN, Number.POSITIVE_INFINITY, '0', null, 2 ** 60]) {
          cases.push(['bufferGetSlot', ['thread', index]]);
        }
        for (const [method, args] of cases) {
          const err = (await settle(() => any[method]!.apply(b, args))) as { code?: string } | undefined;
          const label = `${method}(${args.map((a) => (typeof a === 'string' ? JSON.stringify(a) : String(a))).join(', ')})`;
          expect(err?.code, label).toBe('ERR_INVALID_ARGUMENT');
          expect(err, label).toBeInstanceOf(InvalidArgumentError);
        }
        expect(await collect(b.bufferListThreads())).toEqual([]);
        expect(await collect(b.registryListAll())).toEqual([]);
        expect(await b.bufferThreadExists('thread')).toBe(false);
        expect(await b.info()).toEqual({ bufferThreads: 0, registryEntries: 0, ttlMs: 0 });
      });

      it('ping answers; after close every call fails with BackendClosedError', async (make) => {
        const b = await make();
        expect(await b.ping()).toBe(true);
        await b.bufferAppend('t', 'x');
        await b.close();
        await b.close();
        expect(await b.ping()).toBe(false);
        const calls: Array<() => Promise<unknown>> = [
          () => b.bufferAppend('t', 'x'),
          () => b.bufferGetThread('t'),
          () => b.registrySet('c', 'u'),
          () => b.info(),
          () => collect(b.bufferListThreads()),
          () => collect(b.registryListAll()),
        ];
        for (const call of calls) {
          const err = (await settle(call)) as { code?: string; name?: string } | undefined;
          expect(err?.code).toBe('ERR_BACKEND_CLOSED');
          expect(err?.name).toBe('BackendClosedError');
        }
      });
    });
  });
}
