import {
  checkConnectionFirst,
  checkFunction,
  checkOptions,
  checkDurability,
  checkRetryPolicy,
  runScriptDurably,
  createRedisAdapter,
  InvalidArgumentError,
  isPlainObject,
  isRedisAdapter,
  withRetry,
  type RedisAdapter,
  type DurabilityOptions,
  type ResolvedDurability,
  type ResolvedRetryPolicy,
  type RedisTarget,
  type RetryPolicy,
} from '@x/redis-adapter';
import { sharedBackend as scripts, type ScriptDescriptor } from '@x/lua-scripts';
import { BackendClosedError, ConfigMismatchError, OperationIdConflictError } from './errors.js';
import { ServerClockEstimate } from './server-clock.js';
import { DEFAULT_INDEX_BUCKETS, MAX_INDEX_BUCKETS, SharedBackendKeys } from './keys.js';
import type { AppendOptions, BackendInfo, SharedBackend, SlotInput } from './types.js';
import {
  appendOperationId,
  assertId,
  assertIndex,
  assertPositiveInt,
  assertTtlMs,
  limitsFrom,
  MAX_OPERATION_IDS_PER_THREAD,
  OPTION_KEYS,
  checkSlot,
  type Limits,
} from './validate.js';

/** Default key prefix of a {@link RedisBackend}. */
export const DEFAULT_PREFIX = 'shared-backend';

/** Options of {@link RedisBackend} (the second argument of `new RedisBackend(redis, options)`). */
export interface RedisBackendOptions {
  /**
   * The tenant: every key starts with it, listing and clearing never leave it.
   * Any non-empty string; characters outside `A-Z a-z 0-9 _ . : -` are encoded.
   * Default `"shared-backend"`.
   */
  prefix?: string;
  /** Milliseconds a thread lives after its last append, and a registry entry after its last set. 0 (default) = never expires. */
  ttlMs?: number;
  /**
   * How many index buckets (cluster slots) threads are spread over. Every
   * backend of one prefix must use the same number: the first writer records it
   * and the others fail with `ConfigMismatchError` otherwise. Default 64.
   */
  indexBuckets?: number;
  /** SCAN-family COUNT hint per page while listing and clearing (default 500). */
  scanCount?: number;
  /** Receives errors of a connection the backend owns while it reconnects. */
  onError?: (err: Error) => void;
  /** Largest thread id, chain or uuid in UTF-8 bytes (default 1024); longer ones are refused with `InputTooLargeError`. */
  maxIdBytes?: number;
  /** Largest slot in bytes (default 1 MiB); larger slots are refused with `InputTooLargeError`. */
  maxSlotBytes?: number;
  /**
   * Retry calls that failed with a retryable error (`isRetryable`: connection
   * loss, timeouts, `LOADING`, failover states): `true` for the defaults or a
   * `RetryPolicy`. Only calls that are safe to repeat are retried: reads,
   * appends that carry an `operationId`, `registrySet`, `registryDelete` and
   * `bufferDeleteThread` (a repeat leaves the same state). Default: no retries.
   */
  retry?: boolean | RetryPolicy;
  /**
   * Confirm every write (`bufferAppend`, `registrySet`) on `replicas` replicas
   * before it resolves: `WAIT` pipelined behind the write script. When they do
   * not confirm within `timeoutMs` the call rejects with `DurabilityError` (the
   * write was applied on the master). Default: none (Redis replicates
   * asynchronously, so a failover can lose an acknowledged write).
   */
  durability?: DurabilityOptions;
}



/** What {@link RedisBackend.gc} removed. */
export interface GcResult {
  /** Index entries of expired threads. */
  threadIndexEntries: number;
  /** Expired registry mappings. */
  registryEntries: number;
}

const GC_BATCH = 1000;
/** A registry expiry as the scripts write it: whole server milliseconds. */
const WHOLE_MS = /^\d{1,16}$/;
const CLEAR_BATCH = 500;
/** Buckets walked in one pipelined round while listing or clearing. */
const BUCKETS_PER_ROUND = 256;

/**
 * The distributed backend: buffers and registry in Redis (standalone, cluster or
 * sentinel), one prefix per tenant.
 *
 * - Every write is one atomic script that also sets its TTL and its index entry.
 * - `registrySet` replaces stale mappings in both directions in the same script.
 * - Listing walks index structures the scripts maintain (never `KEYS`, never
 *   `SCAN` of the keyspace), so it is complete on a cluster.
 * - Expiry: Redis TTLs on the data, expiry-scored indexes cleaned by the scripts.
 *
 * Key layout and slots: see {@link SharedBackendKeys} and the README.
 */
export class RedisBackend implements SharedBackend {
  /** The adapter every command goes through. */
  readonly redis: RedisAdapter;
  /** The key builder of this backend's prefix. */
  readonly keys: SharedBackendKeys;
  /** The TTL of what this backend writes, in ms (0 = never). */
  readonly ttlMs: number;
  readonly #ownsAdapter: boolean;
  readonly #scanCount: number;
  #layoutChecked: Promise<void> | undefined;
  #layoutOk = false;
  readonly #registryKeys: readonly string[];
  readonly #byChainKeys: readonly string[];
  readonly #byUuidKeys: readonly string[];
  /** The registry tenant's server clock, as lookups last read it (the registry is one slot: one server). */
  readonly #clock = new ServerClockEstimate();
  readonly #limits: Limits;
  readonly #retry: ResolvedRetryPolicy | undefined;
  readonly #durability: ResolvedDurability | undefined;
  #closed = false;

  /**
   * @param redis - the connection target (a URL, cluster seeds, settings, a
   *   node-redis or ioredis client / cluster / sentinel you own, or an adapter;
   *   see `RedisTarget`). A connection you pass stays yours; one the backend
   *   opens from a URL or settings is closed by `close()`.
   * @param options - see {@link RedisBackendOptions}; unknown keys are refused.
   */
  constructor(redis: RedisTarget, options?: RedisBackendOptions) {
    checkConnectionFirst('RedisBackend', redis, options, '{ prefix, ttlMs, ... }');
    if (isPlainObject(redis) && Object.hasOwn(redis, 'url') && Object.keys(redis).some((k) => (OPTION_KEYS.redisBackend as readonly string[]).includes(k))) {
      throw new InvalidArgumentError(
        'RedisBackend takes the connection as its first argument: write new RedisBackend(url, { prefix, ttlMs, ... }) ' +
          'instead of new RedisBackend({ url, prefix, ... })',
        { argument: 'redis' },
      );
    }
    const o = checkOptions(options, 'RedisBackend options', { accepted: OPTION_KEYS.redisBackend });
    const input = redis;
    this.#limits = limitsFrom(o);
    this.#retry = checkRetryPolicy(o.retry);
    this.#durability = checkDurability(o.durability);
    const onError = checkFunction<(err: Error) => void>(o.onError, 'onError');
    this.ttlMs = o.ttlMs === undefined ? 0 : assertTtlMs(o.ttlMs);
    const buckets = o.indexBuckets === undefined ? DEFAULT_INDEX_BUCKETS : assertPositiveInt(o.indexBuckets, 'indexBuckets', MAX_INDEX_BUCKETS);
    this.#scanCount = o.scanCount === undefined ? 500 : assertPositiveInt(o.scanCount, 'scanCount', 100_000);
    this.keys = new SharedBackendKeys(assertId(o.prefix === undefined ? DEFAULT_PREFIX : o.prefix, 'prefix', this.#limits), buckets);
    this.#registryKeys = [this.keys.registryByChain, this.keys.registryByUuid, this.keys.registryExpiry];
    this.#byChainKeys = [this.keys.registryByChain];
    this.#byUuidKeys = [this.keys.registryByUuid];
    const given = isRedisAdapter(input);
    this.redis = createRedisAdapter(input, onError === undefined ? {} : { onError });
    // An adapter we made around the caller's client owns only its subscriber; closing it is safe.
    this.#ownsAdapter = !given;
  }

  #open(): void {
    if (this.#closed) throw new BackendClosedError(undefined, { object: 'RedisBackend' });
  }

  /** Runs a write script, followed in the same round trip by `WAIT` when the backend has a `durability` option. */
  #write(script: ScriptDescriptor, input: { keys: readonly string[]; args: readonly (string | number | Uint8Array)[] }): Promise<unknown> {
    return this.#durability === undefined ? this.redis.runScript(script, input) : runScriptDurably(this.redis, script, input, this.#durability);
  }

  /** Runs a call that is safe to repeat (a read, an append with an operation id, a set or delete) under the retry policy, after the layout check. */
  #safe<T>(call: () => Promise<T>): Promise<T> {
    return withRetry(this.#retry, async () => {
      const pending = this.#ready();
      if (pending !== undefined) await pending;
      return call();
    });
  }

  /**
   * Records this backend's layout for the prefix on first use, or checks it
   * against the recorded one. Returns undefined once that is done (the hot path
   * then costs no promise), a promise while it is under way.
   */
  #ready(): Promise<void> | undefined {
    this.#open();
    if (this.#layoutOk) return undefined;
    if (this.#layoutChecked === undefined) {
      const check = (async () => {
        const stored = await this.redis.command<string | null>({
          command: ['SET', this.keys.meta, this.keys.layout, 'NX', 'GET'],
          keys: [this.keys.meta],
        });
        if (stored !== null && stored !== this.keys.layout) throw new ConfigMismatchError(stored, this.keys.layout);
        this.#layoutOk = true;
      })();
      check.catch((err: unknown) => {
        if (!(err instanceof ConfigMismatchError)) this.#layoutChecked = undefined; // try again on the next call
      });
      this.#layoutChecked = check;
    }
    return this.#layoutChecked;
  }

  async bufferAppend(threadId: string, slot: SlotInput, options?: AppendOptions): Promise<number> {
    this.#open();
    assertId(threadId, 'threadId', this.#limits);
    const bytes = checkSlot(slot, this.#limits);
    const operationId = appendOperationId(options, this.#limits);
    const bucket = this.keys.bucketOf(threadId);
    const k = this.keys;
    const append = async () => {
      const pending = this.#ready();
      if (pending !== undefined) await pending;
      return Number(
        await this.#write(scripts.bufferAppend, {
          keys: [k.threadKey(threadId, bucket), k.indexKey(bucket), k.threadOpsKey(threadId, bucket), k.threadOpsLogKey(threadId, bucket)],
          args: [threadId, bytes, this.ttlMs, operationId, MAX_OPERATION_IDS_PER_THREAD],
        }),
      );
    };
    // Without an operation id a retry could append twice: only calls with one are retried.
    const index = operationId === '' ? await append() : await this.#safe(append);
    if (index < 0) throw new OperationIdConflictError(threadId, operationId);
    return index;
  }

  async bufferGetThread(threadId: string): Promise<Uint8Array[]> {
    assertId(threadId, 'threadId', this.#limits);
    const key = this.keys.threadKey(threadId);
    return this.#safe(async () => this.redis.command<Buffer[]>({ command: ['LRANGE', key, 0, -1], keys: [key] }, { returnBuffers: true }));
  }

  async bufferGetSlot(threadId: string, index: number): Promise<Uint8Array | null> {
    assertId(threadId, 'threadId', this.#limits);
    assertIndex(index);
    const key = this.keys.threadKey(threadId);
    return this.#safe(async () => this.redis.command<Buffer | null>({ command: ['LINDEX', key, index], keys: [key] }, { returnBuffers: true }));
  }

  async bufferThreadLength(threadId: string): Promise<number> {
    assertId(threadId, 'threadId', this.#limits);
    const key = this.keys.threadKey(threadId);
    return this.#safe(async () => Number(await this.redis.command({ command: ['LLEN', key], keys: [key] })));
  }

  async bufferThreadExists(threadId: string): Promise<boolean> {
    assertId(threadId, 'threadId', this.#limits);
    const key = this.keys.threadKey(threadId);
    return this.#safe(async () => Number(await this.redis.command({ command: ['EXISTS', key], keys: [key] })) === 1);
  }

  async bufferDeleteThread(threadId: string): Promise<boolean> {
    assertId(threadId, 'threadId', this.#limits);
    const bucket = this.keys.bucketOf(threadId);
    const keys = [this.keys.threadKey(threadId, bucket), this.keys.indexKey(bucket), this.keys.threadOpsKey(threadId, bucket), this.keys.threadOpsLogKey(threadId, bucket)];
    // Deleting again leaves the same state; a repeat after a lost reply reports false.
    const deleted = await this.#safe(() => this.redis.runScript(scripts.bufferDelete, { keys, args: [threadId] }));
    return Number(deleted) === 1;
  }

  /**
   * Walks every index bucket with ZSCAN pages (pipelined: one round trip per
   * node and round). A thread that lives for the whole walk is yielded exactly
   * once; one created or deleted meanwhile may or may not be.
   */
  bufferListThreads(): AsyncIterable<string> {
    const backend = this;
    return {
      async *[Symbol.asyncIterator]() {
        const pending = backend.#ready();
        if (pending !== undefined) await pending;
        for await (const page of backend.#walkBuckets()) yield* page.ids;
      },
    };
  }

  /** Pages of every bucket, deduplicated per bucket (ZSCAN may repeat a member while a set is rehashed). */
  async *#walkBuckets(): AsyncGenerator<{ bucket: number; ids: string[] }> {
    const count = this.#scanCount;
    for (let first = 0; first < this.keys.indexBuckets; first += BUCKETS_PER_ROUND) {
      const buckets = new Map<number, { cursor: string; seen: Set<string> | undefined }>();
      for (let b = first; b < Math.min(first + BUCKETS_PER_ROUND, this.keys.indexBuckets); b++) {
        buckets.set(b, { cursor: '0', seen: undefined });
      }
      while (buckets.size > 0) {
        this.#open();
        const order = [...buckets.keys()];
        const replies = (await this.redis.pipeline(
          order.map((b) => ({
            script: scripts.bufferScan,
            keys: [this.keys.indexKey(b)],
            args: [buckets.get(b)!.cursor, count],
          })),
        )) as string[][];
        for (let i = 0; i < order.length; i++) {
          const bucket = order[i]!;
          const state = buckets.get(bucket)!;
          const [next, ...ids] = replies[i]!;
          const single = state.cursor === '0' && next === '0';
          let fresh = ids;
          if (!single) {
            state.seen ??= new Set();
            fresh = ids.filter((id) => !state.seen!.has(id));
            for (const id of fresh) state.seen.add(id);
          }
          if (next === '0') buckets.delete(bucket);
          else state.cursor = next!;
          if (fresh.length > 0) yield { bucket, ids: fresh };
        }
      }
    }
  }

  /**
   * Deletes every thread of the prefix, bucket by bucket: each batch (its
   * lists and index entries) goes in one atomic script. Threads created while
   * the clear runs may survive it.
   */
  async bufferClear(): Promise<void> {
    const pending = this.#ready();
    if (pending !== undefined) await pending;
    const count = this.#scanCount;
    const buckets = Array.from({ length: this.keys.indexBuckets }, (_, b) => b);
    for (let first = 0; first < buckets.length; first += BUCKETS_PER_ROUND) {
      const round = buckets.slice(first, first + BUCKETS_PER_ROUND);
      await Promise.all(
        round.map(async (bucket) => {
          const indexKey = this.keys.indexKey(bucket);
          let cursor = '0';
          do {
            this.#open();
            // Raw ZSCAN: expired entries too, so the clear leaves an empty index.
            const [next, flat] = await this.redis.command<[string, string[]]>({
              command: ['ZSCAN', indexKey, cursor, 'COUNT', count],
              keys: [indexKey],
            });
            cursor = next;
            const ids: string[] = [];
            for (let i = 0; i < flat.length; i += 2) ids.push(flat[i]!);
            for (let i = 0; i < ids.length; i += CLEAR_BATCH) {
              const batch = ids.slice(i, i + CLEAR_BATCH);
              await this.redis.runScript(scripts.bufferClear, {
                keys: [
                  indexKey,
                  ...batch.map((id) => this.keys.threadKey(id, bucket)),
                  ...batch.map((id) => this.keys.threadOpsKey(id, bucket)),
                  ...batch.map((id) => this.keys.threadOpsLogKey(id, bucket)),
                ],
                args: batch,
              });
            }
          } while (cursor !== '0');
        }),
      );
    }
  }

  async registrySet(chain: string, uuid: string): Promise<void> {
    this.#open();
    assertId(chain, 'chain', this.#limits);
    assertId(uuid, 'uuid', this.#limits);
    // Setting the same mapping again leaves the same state: safe to repeat.
    await this.#safe(() => this.#write(scripts.registrySet, { keys: this.#registryKeys, args: [chain, uuid, this.ttlMs] }));
  }

  registryGetUuid(chain: string): Promise<string | null> {
    return this.#lookup(scripts.registryGetUuid, this.#byChainKeys, chain, 'chain');
  }

  registryGetChain(uuid: string): Promise<string | null> {
    return this.#lookup(scripts.registryGetChain, this.#byUuidKeys, uuid, 'uuid');
  }

  /**
   * One registry lookup. While the estimate of the server clock is fresh, a
   * plain `HGET` reads the entry and the estimate judges its expiry; otherwise
   * the lookup script judges it on the server, and its `TIME` reading refreshes
   * the estimate. Either is one round trip; a lookup within a few ms of the
   * entry's expiry, where the estimate cannot tell, takes the `HGET` and then
   * the script. Not an `async` function on purpose: lookups are the hot read
   * path, and an `async` wrapper costs extra promise hops on every call.
   */
  #lookup(script: ScriptDescriptor, keys: readonly string[], id: string, what: string): Promise<string | null> {
    try {
      this.#open();
      assertId(id, what, this.#limits);
      const pending = this.#ready();
      if (pending === undefined) return this.#read(script, keys, id);
      return pending.then(() => this.#read(script, keys, id));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  #read(script: ScriptDescriptor, keys: readonly string[], id: string): Promise<string | null> {
    const clock = this.#clock;
    const sentAt = clock.now();
    if (!clock.fresh(sentAt)) return this.#readOnServer(script, keys, id);
    return this.redis.command<string | null>({ command: ['HGET', keys[0]!, id], keys }).then((value) => {
      if (value === null) return null;
      const bar = value.indexOf('|');
      const expiry = value.slice(0, bar);
      if (bar > 0 && expiry === 'inf') return value.slice(bar + 1);
      // Only what the scripts write ("<whole ms>|"): anything else is the script's to judge (and reject).
      const verdict = bar > 0 && WHOLE_MS.test(expiry) ? clock.judge(Number(expiry), sentAt, clock.now()) : 'unsure';
      if (verdict === 'alive') return value.slice(bar + 1);
      if (verdict === 'expired') return null;
      this.#open();
      return this.#readOnServer(script, keys, id);
    });
  }

  #readOnServer(script: ScriptDescriptor, keys: readonly string[], id: string): Promise<string | null> {
    const clock = this.#clock;
    const sentAt = clock.now();
    return this.redis.runScript<[string | null, string, string]>(script, { keys, args: [id] }).then(([value, sec, usec]) => {
      clock.observe(Number(sec) * 1000 + Number(usec) / 1000, sentAt, clock.now());
      return value;
    });
  }

  async registryDelete(uuid: string): Promise<boolean> {
    this.#open();
    assertId(uuid, 'uuid', this.#limits);
    // Deleting again leaves the same state; a repeat after a lost reply reports false.
    const removed = await this.#safe(() => this.redis.runScript(scripts.registryDelete, { keys: this.#registryKeys, args: [uuid] }));
    return Number(removed) === 1;
  }

  /** Walks the registry with HSCAN pages; an entry that lives for the whole walk is yielded exactly once. */
  registryListAll(): AsyncIterable<[uuid: string, chain: string]> {
    const backend = this;
    return {
      async *[Symbol.asyncIterator]() {
        const pending = backend.#ready();
        if (pending !== undefined) await pending;
        const k = backend.keys;
        let cursor = '0';
        let seen: Set<string> | undefined;
        do {
          backend.#open();
          const [next, ...flat] = await backend.redis.runScript<string[]>(scripts.registryScan, {
            keys: [k.registryByChain, k.registryByUuid, k.registryExpiry],
            args: [cursor, backend.#scanCount],
          });
          const single = cursor === '0' && next === '0';
          cursor = next!;
          for (let i = 0; i < flat.length; i += 2) {
            const uuid = flat[i]!;
            if (!single) {
              seen ??= new Set();
              if (seen.has(uuid)) continue;
              seen.add(uuid);
            }
            yield [uuid, flat[i + 1]!] as [string, string];
          }
        } while (cursor !== '0');
      },
    };
  }

  async registryClear(): Promise<void> {
    const pending = this.#ready();
    if (pending !== undefined) await pending;
    const k = this.keys;
    await this.redis.runScript(scripts.registryClear, { keys: [k.registryByChain, k.registryByUuid, k.registryExpiry] });
  }

  async ping(): Promise<boolean> {
    if (this.#closed) return false;
    try {
      const reply = await this.redis.command({ command: ['PING'] });
      return reply === 'PONG';
    } catch {
      return false;
    }
  }

  /** Counts live threads (all buckets, pipelined) and registry entries; collects a batch of expired index entries on the way. */
  async info(): Promise<BackendInfo> {
    const pending = this.#ready();
    if (pending !== undefined) await pending;
    const { bufferThreads, registryEntries } = await this.#gcRound();
    return { bufferThreads: bufferThreads.alive, registryEntries: registryEntries.alive, ttlMs: this.ttlMs };
  }

  async #gcRound(): Promise<{
    bufferThreads: { removed: number; alive: number };
    registryEntries: { removed: number; alive: number };
    more: boolean;
  }> {
    const k = this.keys;
    const calls = [
      ...k.allIndexKeys().map((indexKey) => ({ script: scripts.bufferGc, keys: [indexKey], args: [GC_BATCH] })),
      { script: scripts.registryGc, keys: [k.registryByChain, k.registryByUuid, k.registryExpiry], args: [GC_BATCH] },
    ];
    const replies = (await this.redis.pipeline(calls)) as [number, number][];
    const registry = replies.pop()!;
    let removed = 0;
    let alive = 0;
    let more = Number(registry[0]) >= GC_BATCH;
    for (const [r, a] of replies) {
      removed += Number(r);
      alive += Number(a);
      if (Number(r) >= GC_BATCH) more = true;
    }
    return {
      bufferThreads: { removed, alive },
      registryEntries: { removed: Number(registry[0]), alive: Number(registry[1]) },
      more,
    };
  }

  /**
   * Removes the index entries of expired threads and the expired registry
   * mappings now. Not needed for correctness (reads ignore expired entries and
   * the write scripts collect them as they go, and idle indexes expire with
   * their last entry); useful after a burst of expiries.
   */
  async gc(): Promise<GcResult> {
    const pending = this.#ready();
    if (pending !== undefined) await pending;
    const total: GcResult = { threadIndexEntries: 0, registryEntries: 0 };
    for (;;) {
      const round = await this.#gcRound();
      total.threadIndexEntries += round.bufferThreads.removed;
      total.registryEntries += round.registryEntries.removed;
      if (!round.more) return total;
    }
  }

  /** Closes the Redis connection if the backend created it (from a URL or settings); a client you passed stays open. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsAdapter) await this.redis.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
