import type { RunnableConfig } from '@langchain/core/runnables';
import {
  BaseCheckpointSaver,
  TASKS,
  WRITES_IDX_MAP,
  getCheckpointId,
  maxChannelVersion,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointPendingWrite,
  type CheckpointTuple,
  type DeltaChannelHistory,
  type PendingWrite,
  type SerializerProtocol,
} from '@langchain/langgraph-checkpoint';
import { JsonPlusSerializer } from '@langchain/langgraph-checkpoint';
import {
  ClosedError,
  DEFAULT_MAX_ID_BYTES,
  InvalidArgumentError,
  MAX_ID_BYTES_LIMIT,
  checkBoolean,
  checkConnectionFirst,
  checkDurability,
  checkRetryPolicy,
  checkFunction,
  checkId,
  checkInteger,
  checkLimit,
  checkOptions,
  describeValue,
  isPlainObject,
  createRedisAdapter,
  isRedisAdapter,
  type RedisAdapter,
  type RedisArg,
  isRedisUrl,
  runScriptDurably,
  withRetry,
  type DurabilityOptions,
  type RedisTarget,
  type ResolvedDurability,
  type ResolvedRetryPolicy,
  type RetryPolicy,
  type ScriptCall,
} from '@x/redis-adapter';
import { checkpoint as scripts } from '@x/lua-scripts';
import { SEP, cat, encodeName, frame, metadataToken } from './codec.js';
import { assertEncodable } from './encodable.js';
import { CorruptCheckpointError } from './errors.js';
import { CheckpointKeys, fields } from './keys.js';
import { NEEDS_ASYNC, RedisJsonPlusSerializer, loadSync } from './serde.js';
import {
  parseBlob,
  parseDeltaReply,
  parseRecord,
  parseTuplesReply,
  parseWrite,
  type RawBlock,
  type TuplesReply,
} from './reply.js';

/** Options of {@link RedisSaver} and {@link ShallowRedisSaver} (the connection is the first argument). */
export interface RedisSaverOptions {
  /** Key prefix (default `checkpoint`). Keys are `<prefix>:{<prefix>:<thread>}:<name>`. */
  prefix?: string;
  /**
   * Every key of a thread (checkpoints, blobs, writes, indexes) expires this many
   * milliseconds after the last write to the thread (or read, with `refreshOnRead`).
   * All keys of a thread expire together. Unset or 0: no expiry (the default).
   */
  ttlMs?: number;
  /** Reads (`getTuple`, `list`, `getDeltaChannelHistory`) refresh the TTL of the thread they read (default `false`). */
  refreshOnRead?: boolean;
  /**
   * Serializer for checkpoints, metadata, channel values and writes. Default:
   * {@link RedisJsonPlusSerializer} (LangGraph's JsonPlusSerializer plus `Date`).
   */
  serde?: SerializerProtocol;
  /** Receives errors of connections the saver owns (node-redis emits them while reconnecting). */
  onError?: (err: Error) => void;
  /** Checkpoints fetched per `list` round trip when no smaller limit applies (default 100). */
  listPageSize?: number;
  /** Index entries one `list` round trip examines when a metadata filter is given (default 1000). */
  listScanBudget?: number;
  /**
   * Longest `thread_id`, `checkpoint_ns`, `checkpoint_id`, task id and prefix accepted, in
   * UTF-8 bytes (default 1024, at most 65 536). Longer ones are refused with
   * `InputTooLargeError` (`ERR_TOO_LARGE`) before anything is sent.
   */
  maxIdBytes?: number;
  /**
   * Retry calls that failed with a retryable error (`isRetryable`: connection
   * loss, timeouts, `LOADING`, failover states, `DurabilityError`): `true` for the
   * defaults or a `RetryPolicy` (`{ attempts, baseDelayMs, maxDelayMs, deadlineMs }`).
   * Every call of the saver is safe to repeat (see the README, "Failures and
   * retries"), so every call is retried. Default: no retries.
   */
  retry?: boolean | RetryPolicy;
  /**
   * Confirm every `put` and `putWrites` on `replicas` replicas before it
   * resolves (`WAIT` pipelined behind the write script, one round trip). When
   * they do not confirm within `timeoutMs` (default 1000) the call rejects with
   * `DurabilityError`; the write was applied on the master. Default: none
   * (Redis replicates asynchronously: a failover can lose an acknowledged write).
   */
  durability?: DurabilityOptions;
}

/** Every key of {@link RedisSaverOptions}; any other is refused with `UnknownOptionError`. */
export const REDIS_SAVER_OPTIONS = [
  'prefix',
  'ttlMs',
  'refreshOnRead',
  'serde',
  'onError',
  'listPageSize',
  'listScanBudget',
  'maxIdBytes',
  'retry',
  'durability',
] as const;

/**
 * Option names of earlier versions and what replaced them; each is refused with
 * `UnknownOptionError` pointing at the new name (pre-1.0 renames).
 */
export const RENAMED_SAVER_OPTIONS: Readonly<Record<string, string>> = {
  ttl: 'ttlMs',
  defaultTtlMs: 'ttlMs',
};

/** The largest `ttlMs` accepted: ten years (the limit `@x/shared-backend` uses too). */
export const MAX_TTL_MS = 10 * 365 * 24 * 3600 * 1000;

/** Every key of the options of `list` (LangGraph's `CheckpointListOptions`). */
export const LIST_OPTIONS = ['limit', 'before', 'filter'] as const;

/** Options of {@link RedisSaver.prune}. */
export interface PruneOptions {
  /** Checkpoints to keep per thread and namespace, newest first (0 drops them all). */
  keepLast: number;
}

/** Every key of {@link PruneOptions}. */
export const PRUNE_OPTIONS = ['keepLast'] as const;

/** What {@link RedisSaver.prune} removed. */
export interface PruneResult {
  /** Checkpoints dropped (with their pending writes). */
  checkpoints: number;
  /** Channel blobs deleted because no remaining checkpoint referenced them. */
  blobs: number;
}

const PRUNE_BUDGET = 1000;
const DELTA_STEPS = 256;

type Configurable = Record<string, unknown>;

function configurable(config: RunnableConfig | undefined): Configurable {
  return (config?.configurable ?? {}) as Configurable;
}


/**
 * With no `thread_id` in `conf`, a key that looks like a misspelt one
 * (`threadId`, `threadID`, `thread-id`, `thread`; never `thread_ts`) is refused, naming `thread_id`:
 * LangGraph reads only `thread_id`, so such a config would silently read nothing
 * (or, for `list`, every thread).
 */
function refuseMisspeltThreadId(conf: Configurable, where: string): void {
  for (const key of Object.keys(conf)) {
    if (key === 'thread_id') continue; // present with the value undefined: no thread, as the contract allows
    const squashed = key.toLowerCase().replace(/[-_\s]/g, '');
    if (squashed === 'threadid' || squashed === 'thread' || squashed === 'threadids') {
      throw new InvalidArgumentError(
        `${where}: config.configurable has ${JSON.stringify(key)} but no "thread_id"; LangGraph reads only "thread_id"`,
        { argument: 'thread_id' },
      );
    }
  }
}

/** An own property (never one inherited from Object.prototype). */
function has(object: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

/** Sets an own property, also for a key such as `__proto__` (as JSON.parse would). */
function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
}

/** Strict byte order of two encoded names (the order the lex indexes keep). */
function lessThan(a: Buffer, b: Buffer): boolean {
  return Buffer.compare(a, b) < 0;
}

/** A copy as a plain Uint8Array, so callers never hold a view into a reply buffer. */
function bytes(b: Buffer): Uint8Array {
  return new Uint8Array(b);
}

/**
 * A LangGraph.js checkpoint saver on plain Redis (no modules): every operation
 * is one Lua script on the thread's hash slot, so it runs unchanged on Redis
 * OSS >= 7, Valkey, managed services and Redis Cluster.
 *
 * - `getTuple` and `list` return exactly what was put (every channel value,
 *   with or without a version), as `MemorySaver` does; a value is stored once
 *   per channel version (a blob), values without a version in the record;
 * - `putWrites` may land before the `put` of its checkpoint;
 * - `list` filters metadata on the server, honours `before` for uuid6 ids and
 *   has no hidden limit;
 * - TTL with refresh-on-read on every key of a thread, pinning, `prune`.
 *
 * ```ts
 * const checkpointer = await RedisSaver.fromUrl('redis://localhost:6379');
 * const graph = workflow.compile({ checkpointer });
 * ```
 */
export class RedisSaver extends BaseCheckpointSaver {
  /** The adapter every call goes through (exposed for round-trip counting and admin use). */
  readonly redis: RedisAdapter;
  /** The key builders of this saver's prefix. */
  readonly keys: CheckpointKeys;
  readonly #ownsConnection: boolean;
  readonly #ttlMs: number;
  readonly #refreshOnRead: boolean;
  readonly #pageSize: number;
  readonly #scanBudget: number;
  readonly #maxIdBytes: number;
  readonly #retry: ResolvedRetryPolicy | undefined;
  readonly #durability: ResolvedDurability | undefined;
  /** True when the serde is LangGraph's JsonPlusSerializer (or ours): values are checked before encoding. */
  readonly #checkEncodable: boolean;
  #closed = false;
  /** True when the serde is the default one, whose values can be loaded without a promise each. */
  readonly #syncSerde: boolean;
  /** Key lists of recently used threads (building them encodes the id every time). */
  readonly #threadKeys = new Map<string, string[]>();
  /** True for {@link ShallowRedisSaver}: a put drops the namespace's older checkpoints. */
  protected readonly shallow: boolean = false;

  /**
   * @param redis - the connection (see `RedisTarget`): a URL (on a cluster node it
   *   connects to the cluster), `{ url }`, cluster seeds or `{ rootNodes }`, sentinel
   *   settings, a node-redis client / cluster / sentinel client, or an adapter. A
   *   connection you pass stays yours; one the saver opens from a URL or settings is
   *   closed by `close()`.
   * @param options - see {@link RedisSaverOptions}; unknown keys are refused.
   */
  constructor(redis: RedisTarget, options?: RedisSaverOptions) {
    const name = new.target.name;
    const where = `${name} options`;
    checkConnectionFirst(name, redis, options, '{ prefix, ttlMs, ... }');
    const o = checkOptions(options, where, { accepted: REDIS_SAVER_OPTIONS, renamed: RENAMED_SAVER_OPTIONS });
    const serde = o.serde as Partial<SerializerProtocol> | undefined;
    if (serde !== undefined && (typeof serde !== 'object' || serde === null || typeof serde.dumpsTyped !== 'function' || typeof serde.loadsTyped !== 'function')) {
      throw new InvalidArgumentError(`serde must be a serializer with dumpsTyped and loadsTyped, got ${describeValue(serde)}`, {
        argument: 'serde',
      });
    }
    super(o.serde ?? new RedisJsonPlusSerializer());
    this.#ttlMs = checkInteger(o.ttlMs, 'ttlMs', { min: 0, max: MAX_TTL_MS }, 0);
    this.#refreshOnRead = checkBoolean(o.refreshOnRead, 'refreshOnRead', false);
    this.#pageSize = checkInteger(o.listPageSize, 'listPageSize', { min: 1, max: 100_000 }, 100);
    this.#scanBudget = checkInteger(o.listScanBudget, 'listScanBudget', { min: 1, max: 1_000_000 }, 1000);
    this.#maxIdBytes = checkLimit(o.maxIdBytes, 'maxIdBytes', DEFAULT_MAX_ID_BYTES, 1, MAX_ID_BYTES_LIMIT);
    this.#retry = checkRetryPolicy(o.retry);
    this.#durability = checkDurability(o.durability);
    const onError = checkFunction<(err: Error) => void>(o.onError, 'onError');
    this.#checkEncodable = this.serde instanceof JsonPlusSerializer;
    this.keys = new CheckpointKeys(o.prefix === undefined ? 'checkpoint' : checkId(o.prefix, 'prefix', this.#maxIdBytes));
    this.#syncSerde =
      this.serde instanceof RedisJsonPlusSerializer && this.serde.loadsTyped === RedisJsonPlusSerializer.prototype.loadsTyped;
    this.redis = createRedisAdapter(redis, onError ? { onError } : {});
    this.#ownsConnection = !isRedisAdapter(redis) && this.redis.ownsConnection;
  }

  /**
   * Connects to a Redis URL (a cluster node's URL connects to its cluster) and
   * returns a saver that owns the connection (`close()` or `await using` ends it),
   * once the connection is up and its topology known. Rejects with
   * `ConnectionError` when Redis cannot be reached.
   */
  static async fromUrl<T extends RedisSaver>(
    this: new (redis: RedisTarget, options?: RedisSaverOptions) => T,
    url: string,
    options?: RedisSaverOptions,
  ): Promise<T> {
    if (!isRedisUrl(url)) {
      throw new InvalidArgumentError(`fromUrl needs a redis:// or rediss:// URL, got ${describeValue(url)}`, { argument: 'url' });
    }
    const saver = new this(url, options);
    try {
      await saver.redis.ready();
    } catch (err) {
      await saver.close().catch(() => undefined);
      throw err;
    }
    return saver;
  }

  /** The TTL (ms) given to threads on write (the `ttlMs` option); 0 when they do not expire. */
  get ttlMs(): number {
    return this.#ttlMs;
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError(this.constructor.name);
  }

  /** A checked thread id: a non-empty string (a number is refused, never converted) of at most `maxIdBytes`. */
  #threadId(value: unknown, argument = 'thread_id'): string {
    return checkId(value, argument, this.#maxIdBytes);
  }

  /** A checked, encoded name: `checkId` (or `''` when `allowEmpty`), then {@link encodeName}. */
  #name(value: unknown, argument: string, allowEmpty = false): Buffer {
    if (allowEmpty && value === '') return Buffer.alloc(0);
    return encodeName(checkId(value, argument, this.#maxIdBytes), argument);
  }

  /** Refuses a value the JSON serializer would store as a placeholder (BigInt, cycle), before anything is sent. */
  #checkValue(value: unknown, argument: string): void {
    if (this.#checkEncodable) assertEncodable(value, argument);
  }

  /** The thread's keys, from a small cache (the lists are never mutated). */
  #keysOf(threadId: string): string[] {
    let keys = this.#threadKeys.get(threadId);
    if (keys === undefined) {
      keys = this.keys.thread(threadId);
      if (this.#threadKeys.size >= 256) this.#threadKeys.delete(this.#threadKeys.keys().next().value!);
      this.#threadKeys.set(threadId, keys);
    }
    return keys;
  }

  /**
   * Runs one call under the `retry` policy (every call of the saver is safe to
   * repeat: writes are keyed by checkpoint id, task id and index).
   */
  #retried<T>(call: () => Promise<T>): Promise<T> {
    return withRetry(this.#retry, () => {
      this.#assertOpen();
      return call();
    });
  }

  /** Runs a script under the retry policy. */
  #run(script: ScriptCall['script'], input: Omit<ScriptCall, 'script'>, returnBuffers = false): Promise<unknown> {
    const options = returnBuffers ? { returnBuffers: true } : undefined;
    return this.#retried(() => this.redis.runScript(script, input, options));
  }

  /** Runs a write script under the retry policy, followed in the same round trip by `WAIT` with a `durability` option. */
  #write(script: ScriptCall['script'], input: Omit<ScriptCall, 'script'>): Promise<unknown> {
    const durability = this.#durability;
    if (durability === undefined) return this.#run(script, input);
    return this.#retried(() => runScriptDurably(this.redis, script, input, durability));
  }

  get #readTtl(): number {
    return this.#refreshOnRead ? this.#ttlMs : 0;
  }

  // ---------------------------------------------------------------- reads

  async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    this.#assertOpen();
    const conf = configurable(config);
    if (conf.thread_id === undefined) {
      // LangGraph's contract: no thread, no checkpoint. A misspelt thread_id is an error, not "nothing".
      refuseMisspeltThreadId(conf, 'getTuple');
      return undefined;
    }
    const threadId = this.#threadId(conf.thread_id);
    const nsE = this.#name(conf.checkpoint_ns ?? '', 'checkpoint_ns', true);
    const id = getCheckpointId(config);
    const idE = id ? this.#name(id, 'checkpoint_id') : Buffer.alloc(0);
    const reply = await this.#run(scripts.getTuple, { keys: this.#keysOf(threadId), args: [nsE, idE, this.#readTtl] }, true);
    const parsed = parseTuplesReply(reply);
    const block = parsed.blocks[0];
    if (!block) return undefined;
    return this.#toTuple(threadId, block, parsed.blobs);
  }

  async *list(config: RunnableConfig, options?: CheckpointListOptions): AsyncGenerator<CheckpointTuple> {
    this.#assertOpen();
    const { before, limit, filter } = checkOptions(options, 'list options', { accepted: LIST_OPTIONS });
    let remaining = limit === undefined ? Infinity : checkInteger(limit, 'limit', { min: 0 });
    if (filter !== undefined && !isPlainObject(filter)) {
      throw new InvalidArgumentError(`filter must be a plain object, got ${describeValue(filter)}`, { argument: 'filter' });
    }
    if (before !== undefined && (typeof before !== 'object' || before === null)) {
      throw new InvalidArgumentError(`before must be a config object, got ${describeValue(before)}`, { argument: 'before' });
    }
    const conf = configurable(config);
    if (conf.thread_id === undefined) refuseMisspeltThreadId(conf, 'list');
    const ns = conf.checkpoint_ns as string | undefined;
    const nsE = ns === undefined ? undefined : this.#name(ns, 'checkpoint_ns', true);
    const exact = conf.checkpoint_id as string | undefined;
    const exactE = exact ? this.#name(exact, 'checkpoint_id') : undefined;
    const beforeId = before?.configurable?.checkpoint_id as string | undefined;
    const beforeE = beforeId ? this.#name(beforeId, 'before.checkpoint_id') : undefined;
    const listThread = conf.thread_id !== undefined ? this.#threadId(conf.thread_id) : undefined;
    if (remaining <= 0) return;
    const filterArgs: Buffer[] = [];
    for (const [key, value] of Object.entries(filter ?? {})) {
      if (value === undefined) {
        filterArgs.push(Buffer.from(key, 'utf8'), Buffer.alloc(0));
        continue;
      }
      const token = metadataToken(value);
      if (token === undefined) return; // never equal to a stored value (=== semantics)
      filterArgs.push(Buffer.from(key, 'utf8'), Buffer.from(token, 'utf8'));
    }
    if (exactE && beforeE && !lessThan(exactE, beforeE)) return;

    // bounds of the index range, newest (max) to oldest (min)
    let index: 'ns' | 'id';
    let max: Buffer;
    let min: Buffer;
    if (nsE !== undefined) {
      index = 'ns';
      if (exactE) {
        max = min = cat('[', fields.checkpoint(nsE, exactE));
      } else {
        ({ max, min } = fields.nsRange(nsE));
        if (beforeE) max = cat('(', fields.checkpoint(nsE, beforeE));
      }
    } else {
      index = 'id';
      if (exactE) {
        min = cat('[', exactE, SEP);
        max = cat('(', exactE, Buffer.from([1]));
      } else {
        min = Buffer.from('-');
        max = beforeE ? cat('(', beforeE) : Buffer.from('+');
      }
    }

    const threads =
      listThread !== undefined ? [listThread] : this.#scanThreads();
    for await (const threadId of threads) {
      let hi = max;
      const keys = this.#keysOf(threadId);
      while (remaining > 0) {
        this.#assertOpen();
        const pageLimit = Math.min(remaining, this.#pageSize);
        const budget = filterArgs.length > 0 ? this.#scanBudget : pageLimit;
        const reply = await this.#run(scripts.list, { keys, args: [index, hi, min, pageLimit, budget, this.#readTtl, ...filterArgs] }, true);
        const page: TuplesReply = parseTuplesReply(reply);
        const tuples = await Promise.all(page.blocks.map((b) => this.#toTuple(threadId, b, page.blobs)));
        for (const tuple of tuples) {
          if (remaining <= 0) return;
          remaining--;
          yield tuple;
        }
        if (page.cursor.length === 0) break;
        hi = cat('(', page.cursor);
      }
      if (remaining <= 0) return;
    }
  }

  /** Thread ids of this prefix, by SCAN on every master (an admin path: `list` without a thread_id). */
  async *#scanThreads(): AsyncGenerator<string> {
    const seen = new Set<string>();
    for await (const batch of this.redis.scan({ match: this.keys.threadScanPattern(), type: 'zset' })) {
      for (const key of batch) {
        const threadId = this.keys.threadOf(key);
        if (threadId === undefined || seen.has(threadId)) continue;
        seen.add(threadId);
        yield threadId;
      }
    }
  }

  #load(type: string, value: Buffer): Promise<unknown> {
    // JSON text is decoded, never kept: no copy needed. Anything else may be kept
    // by the serde (raw bytes are returned as is), so it gets its own copy.
    return this.serde.loadsTyped(type, type === 'json' ? value : bytes(value));
  }

  /**
   * A value as the serde loads it: synchronously when the serde is the default
   * one (no promise per value), else (or for a LangChain object) its promise.
   */
  #loadFast(type: string, value: Buffer): unknown {
    if (this.#syncSerde) {
      const loaded = loadSync(type, type === 'json' ? value : bytes(value));
      if (loaded !== NEEDS_ASYNC) return loaded;
    }
    return this.#load(type, value);
  }

  /**
   * Builds a tuple from a reply block. Every value (checkpoint, metadata,
   * channels, pending writes) is handed to the serde at once and awaited
   * together: one `Promise.all`, no promise of our own per value.
   */
  async #toTuple(threadId: string, block: RawBlock, blobs: Buffer[]): Promise<CheckpointTuple> {
    const record = parseRecord(block.record);
    // values load synchronously with the default serde; anything else is awaited together
    const loaded: unknown[] = [this.#loadFast(record.checkpointType, record.checkpoint), this.#loadFast(record.metadataType, record.metadata)];
    const names: string[] = [];
    for (const channel of record.channels) {
      if (channel.inline === undefined) continue;
      const { type, value } = parseBlob(channel.inline);
      names.push(channel.name);
      loaded.push(this.#loadFast(type, value));
    }
    for (const [pos, blobNo] of block.present) {
      const channel = record.channels[pos - 1];
      const blob = blobs[blobNo - 1];
      if (!channel || !blob) throw new CorruptCheckpointError('a checkpoint reply references a missing blob');
      const { type, value } = parseBlob(blob);
      names.push(channel.name);
      loaded.push(this.#loadFast(type, value));
    }
    const writes = block.writes.map(parseWrite);
    for (const w of writes) loaded.push(this.#loadFast(w.type, w.value));
    // a loaded value is never a Promise (no serde revives one): any Promise here is a pending load
    if (loaded.some((v) => v instanceof Promise)) {
      const settled = await Promise.all(loaded);
      for (let i = 0; i < settled.length; i++) loaded[i] = settled[i];
    }
    const channel_values: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) setOwn(channel_values, names[i]!, loaded[2 + i]);
    const pendingWrites: CheckpointPendingWrite[] = writes.map((w, i) => [w.taskId, w.channel, loaded[2 + names.length + i]]);
    const checkpoint = { ...(loaded[0] as Omit<Checkpoint, 'channel_values'>), channel_values } as Checkpoint;
    const metadata = loaded[1] as CheckpointMetadata;
    if (record.flags.includes('m') && record.parent !== undefined) {
      await this.#migratePendingSends(checkpoint, block.parentWrites);
    }
    const tuple: CheckpointTuple = {
      config: { configurable: { thread_id: threadId, checkpoint_ns: block.ns, checkpoint_id: block.id } },
      checkpoint,
      metadata,
      pendingWrites,
    };
    if (record.parent !== undefined) {
      tuple.parentConfig = {
        configurable: { thread_id: threadId, checkpoint_ns: block.ns, checkpoint_id: record.parent },
      };
    }
    return tuple;
  }

  async #loadWrite(raw: Buffer): Promise<CheckpointPendingWrite> {
    const w = parseWrite(raw);
    return [w.taskId, w.channel, await this.#load(w.type, w.value)];
  }

  /** Checkpoints of format v < 4 kept pending sends in the parent's TASKS writes. */
  async #migratePendingSends(checkpoint: Checkpoint, parentWrites: Buffer[]): Promise<void> {
    const sends = await Promise.all(
      parentWrites
        .map(parseWrite)
        .filter((w) => w.channel === TASKS)
        .map((w) => this.#load(w.type, w.value)),
    );
    checkpoint.channel_values ??= {};
    checkpoint.channel_values[TASKS] = sends;
    checkpoint.channel_versions ??= {};
    checkpoint.channel_versions[TASKS] =
      Object.keys(checkpoint.channel_versions).length > 0
        ? maxChannelVersion(...Object.values(checkpoint.channel_versions))
        : this.getNextVersion(undefined);
  }

  // --------------------------------------------------------------- writes

  async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    newVersions: ChannelVersions,
  ): Promise<RunnableConfig> {
    this.#assertOpen();
    const conf = configurable(config);
    if (conf.thread_id === undefined) {
      refuseMisspeltThreadId(conf, 'put');
      throw new InvalidArgumentError(
        'put needs config.configurable.thread_id (pass { configurable: { thread_id } } when you invoke the graph)',
        { argument: 'thread_id' },
      );
    }
    const threadId = this.#threadId(conf.thread_id);
    const ns = (conf.checkpoint_ns as string | undefined) ?? '';
    const nsE = this.#name(ns, 'checkpoint_ns', true);
    if (typeof checkpoint?.id !== 'string' || checkpoint.id.length === 0) {
      throw new InvalidArgumentError('checkpoint.id must be a non-empty string', { argument: 'checkpoint.id' });
    }
    const idE = this.#name(checkpoint.id, 'checkpoint.id');
    const parent = conf.checkpoint_id as string | undefined;
    const parentE = parent ? this.#name(parent, 'checkpoint_id') : Buffer.alloc(0);
    const versions = (newVersions ?? {}) as ChannelVersions;

    // what MemorySaver keeps of a checkpoint (copyCheckpoint): these fields, every channel value
    const values = (checkpoint.channel_values ?? {}) as Record<string, unknown>;
    const channelVersions = (checkpoint.channel_versions ?? {}) as ChannelVersions;
    const rest = {
      v: checkpoint.v,
      id: checkpoint.id,
      ts: checkpoint.ts,
      channel_versions: channelVersions,
      versions_seen: checkpoint.versions_seen ?? {},
    };
    // every channel with a value, then channels with a version but no value
    const names = new Set([...Object.keys(values), ...Object.keys(channelVersions), ...Object.keys(versions)]);
    const channelArgs: (RedisArg[] | Promise<RedisArg[]>)[] = [];
    for (const name of names) {
      encodeName(name, 'channel'); // rejects lone surrogates before anything is sent
      const version = has(channelVersions, name) ? channelVersions[name] : has(versions, name) ? versions[name] : undefined;
      const field = version === undefined ? undefined : fields.blob(nsE, name, version);
      const token = field === undefined ? '' : field.subarray(field.lastIndexOf(0) + 1);
      if (!has(values, name)) {
        channelArgs.push([name, token, field ?? '', 'e', '']);
        continue;
      }
      // 'n': a new version, stored as a blob; 'c': an old version, referenced when it is the
      // stored value and kept in the record otherwise; 'i': no version, kept in the record
      const state = field === undefined ? 'i' : has(versions, name) ? 'n' : 'c';
      this.#checkValue(values[name], `checkpoint.channel_values.${name}`);
      channelArgs.push(
        this.serde.dumpsTyped(values[name]).then(([type, data]) => [name, token, field ?? '', state, frame([type, data])]),
      );
    }
    this.#checkValue(rest, 'checkpoint');
    this.#checkValue(metadata, 'metadata');
    const tokens: string[] = [];
    for (const [key, value] of Object.entries(metadata ?? {})) {
      const token = value === undefined ? undefined : metadataToken(value);
      if (token !== undefined) tokens.push(key, token);
    }
    const [[cpType, cpBytes], [mdType, mdBytes], channels] = await Promise.all([
      this.serde.dumpsTyped(rest),
      this.serde.dumpsTyped(metadata),
      Promise.all(channelArgs),
    ]);
    const args: RedisArg[] = [
      nsE,
      idE,
      parentE,
      checkpoint.v < 4 ? 'm' : '',
      this.shallow ? '1' : '0',
      this.#ttlMs,
      frame([cpType, cpBytes, mdType, mdBytes]),
      tokens.length > 0 ? frame(tokens) : '',
    ];
    for (const c of channels) args.push(...c);
    this.#assertOpen();
    await this.#write(scripts.put, { keys: this.#keysOf(threadId), args });
    return { configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: checkpoint.id } };
  }

  async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string, taskPath = ''): Promise<void> {
    this.#assertOpen();
    const conf = configurable(config);
    if (conf.thread_id === undefined) {
      refuseMisspeltThreadId(conf, 'putWrites');
      throw new InvalidArgumentError('putWrites needs config.configurable.thread_id', { argument: 'thread_id' });
    }
    const threadId = this.#threadId(conf.thread_id);
    const id = conf.checkpoint_id as string | undefined;
    if (typeof id !== 'string' || id.length === 0) {
      throw new InvalidArgumentError('putWrites needs config.configurable.checkpoint_id', { argument: 'checkpoint_id' });
    }
    const ns = (conf.checkpoint_ns as string | undefined) ?? '';
    const nsE = this.#name(ns, 'checkpoint_ns', true);
    const idE = this.#name(id, 'checkpoint_id');
    const taskE = this.#name(taskId, 'taskId', true);
    const pathE = encodeName(taskPath ?? '', 'taskPath');
    if (!Array.isArray(writes)) throw new InvalidArgumentError('writes must be an array', { argument: 'writes' });
    if (writes.length === 0) return;
    writes.forEach(([, value], i) => this.#checkValue(value, `writes[${i}]`));
    const special = (channel: string) => Object.prototype.hasOwnProperty.call(WRITES_IDX_MAP, channel);
    // per write, as MemorySaver: a special channel's write replaces, any other is insert-or-ignore
    const modes = writes.map(([channel]) => (special(channel) ? 'r' : 'i')).join('');
    const args: RedisArg[] = [nsE, idE, modes, this.shallow ? '1' : '0', this.#ttlMs];
    const encoded = await Promise.all(
      writes.map(async ([channel, value], i) => {
        encodeName(channel, 'channel');
        const idx = special(channel) ? WRITES_IDX_MAP[channel]! : i;
        const sortKey = fields.writeSortKey(nsE, idE, pathE, taskE, idx);
        const [type, data] = await this.serde.dumpsTyped(value);
        return [sortKey, fields.writeField(nsE, idE, taskE, idx), frame([sortKey, taskId, channel, type, data])];
      }),
    );
    for (const e of encoded) args.push(...e);
    this.#assertOpen();
    await this.#write(scripts.putWrites, { keys: this.#keysOf(threadId), args });
  }

  /** Deletes every key of the thread (every namespace), and nothing else. One round trip. */
  async deleteThread(threadId: string): Promise<void> {
    this.#assertOpen();
    const keys = this.keys.thread(this.#threadId(threadId, 'threadId'));
    await this.#retried(() => this.redis.command({ command: ['UNLINK', ...keys], keys }));
  }

  // ----------------------------------------------------------- delta walk

  /**
   * Walks the parent chain server-side (one round trip per 256 ancestors),
   * returning per channel the on-path writes oldest to newest and the seed of
   * the nearest ancestor that stored a value. Same contract as the default.
   */
  async getDeltaChannelHistory(options: {
    config: RunnableConfig;
    channels: string[];
  }): Promise<Record<string, DeltaChannelHistory>> {
    this.#assertOpen();
    const { config, channels } = options;
    if (channels.length === 0) return {};
    const conf = configurable(config);
    const perAncestor: Map<string, CheckpointPendingWrite[]>[] = [];
    const seeds = new Map<string, unknown>();
    if (conf.thread_id !== undefined) {
      const threadId = this.#threadId(conf.thread_id);
      const nsE = this.#name((conf.checkpoint_ns as string | undefined) ?? '', 'checkpoint_ns', true);
      const id = getCheckpointId(config);
      const keys = this.keys.thread(threadId);
      let open = [...new Set(channels)];
      for (const c of open) encodeName(c, 'channel');
      let mode = 'target';
      let cursor: Buffer = id ? this.#name(id, 'checkpoint_id') : Buffer.alloc(0);
      for (;;) {
        const sent = open; // seed positions refer to the channels as sent in this call
        const reply = await this.#run(scripts.deltaHistory, { keys, args: [nsE, mode, cursor, DELTA_STEPS, this.#readTtl, ...sent] }, true);
        const { next, ancestors } = parseDeltaReply(reply);
        for (const ancestor of ancestors) {
          const byChannel = new Map<string, CheckpointPendingWrite[]>();
          for (const raw of ancestor.writes) {
            const write = await this.#loadWrite(raw);
            const list = byChannel.get(write[1]) ?? [];
            list.push(write);
            byChannel.set(write[1], list);
          }
          perAncestor.push(byChannel);
          const closed = new Set<string>();
          for (const [pos, blob] of ancestor.seeds) {
            const channel = sent[pos - 1]!;
            const { type, value } = parseBlob(blob);
            seeds.set(channel, await this.#load(type, value));
            closed.add(channel);
          }
          if (closed.size > 0) open = open.filter((c) => !closed.has(c));
        }
        if (next.length === 0 || open.length === 0) break;
        mode = 'at';
        cursor = next;
      }
    }
    const result: Record<string, DeltaChannelHistory> = {};
    for (const channel of channels) {
      const writes: CheckpointPendingWrite[] = [];
      for (let i = perAncestor.length - 1; i >= 0; i--) writes.push(...(perAncestor[i]!.get(channel) ?? []));
      const entry: DeltaChannelHistory = { writes };
      if (seeds.has(channel)) entry.seed = seeds.get(channel);
      result[channel] = entry;
    }
    return result;
  }

  // ---------------------------------------------------------------- admin

  /**
   * Keeps the newest `keepLast` checkpoints of every namespace of each thread
   * and drops the rest with their pending writes, then deletes the blobs no
   * remaining checkpoint references. One round trip for all threads (a
   * pipeline of one script per thread), more only for threads with more than
   * 1000 checkpoints to drop.
   */
  async prune(threadIds: readonly string[], options: PruneOptions): Promise<PruneResult> {
    this.#assertOpen();
    if (!Array.isArray(threadIds)) throw new InvalidArgumentError('threadIds must be an array', { argument: 'threadIds' });
    if (options === undefined) throw new InvalidArgumentError('prune(threadIds, { keepLast }) needs its options', { argument: 'options' });
    const keepLast = checkInteger(checkOptions(options, 'prune options', { accepted: PRUNE_OPTIONS }).keepLast, 'keepLast');
    let pending = [...new Set(threadIds.map((t) => this.#threadId(t, 'threadIds')))].map((threadId) => ({
      keys: this.keys.thread(threadId),
      from: Buffer.alloc(0) as Buffer,
    }));
    const result: PruneResult = { checkpoints: 0, blobs: 0 };
    while (pending.length > 0) {
      const calls = pending.map((p) => ({ script: scripts.prune, keys: p.keys, args: [keepLast, PRUNE_BUDGET, p.from, '1'] }));
      const replies = await this.#retried(() => this.redis.pipeline(calls, { returnBuffers: true }));
      const next: typeof pending = [];
      replies.forEach((reply, i) => {
        const [done, dropped, resume, swept] = reply as [number, number, Buffer, number];
        result.checkpoints += Number(dropped);
        result.blobs += Number(swept);
        if (Number(done) !== 1) next.push({ keys: pending[i]!.keys, from: resume });
      });
      pending = next;
    }
    return result;
  }

  /** Pins a thread: none of its keys expires until {@link RedisSaver.unpinThread}. One round trip. */
  async pinThread(threadId: string): Promise<void> {
    this.#assertOpen();
    await this.#run(scripts.pin, { keys: this.keys.thread(this.#threadId(threadId, 'threadId')), args: ['pin', 0] });
  }

  /** Unpins a thread: its keys get the saver's default TTL again (if any). One round trip. */
  async unpinThread(threadId: string): Promise<void> {
    this.#assertOpen();
    await this.#run(scripts.pin, { keys: this.keys.thread(this.#threadId(threadId, 'threadId')), args: ['unpin', this.#ttlMs] });
  }

  /** Closes the connection if the saver created it (`fromUrl`, a URL or settings); a caller's client stays open. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsConnection) await this.redis.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
