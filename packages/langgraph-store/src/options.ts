import {
  DEFAULT_MAX_ID_BYTES,
  DEFAULT_MAX_PAYLOAD_BYTES,
  InvalidArgumentError,
  MAX_ID_BYTES_LIMIT,
  MAX_PAYLOAD_BYTES_LIMIT,
  checkBoolean,
  checkDurability,
  checkFunction,
  checkRetryPolicy,
  checkId,
  checkInteger,
  checkLimit,
  checkOptions,
  describeValue,
  isPlainObject,
  type DurabilityOptions,
  type ResolvedDurability,
  type ResolvedRetryPolicy,
  type RetryPolicy,
} from '@x/redis-adapter';
import type { StoreIndexConfig } from './vectors.js';

/** Options of {@link RedisStore}. */
export interface RedisStoreOptions {
  /** Key prefix (default `store`). Keys are `<prefix>:{<prefix>:<shard>}:<name>`. */
  prefix?: string;
  /**
   * How many leading namespace labels form the hash tag (default 2). Namespaces that share
   * them share one cluster slot, so a `search` whose prefix has at least this many labels is
   * one script on one node; a shorter prefix first reads the shard registry (see the README).
   */
  shardDepth?: number;
  /** Semantic search, as `InMemoryStore` takes it: `{ embeddings, dims, fields? }`. Without it, `query` is ignored. */
  index?: StoreIndexConfig;
  /** Items put without their own `ttlMs` expire this many ms after the put (default 0: never). */
  ttlMs?: number;
  /** `get` and `search` push the expiry of the items they return to now + their TTL (default false). */
  refreshOnRead?: boolean;
  /** Items a filtered search examines per shard before failing with `SearchScanLimitError` (default 10 000). */
  searchScanLimit?: number;
  /** Filtered items a `query` search ranks at most (the first ones in namespace order; default 1000). */
  maxCandidates?: number;
  /** Largest value accepted, as JSON in UTF-8 bytes (default 1 MiB). */
  maxValueBytes?: number;
  /** Longest key and namespace label, in UTF-8 bytes (default 1024). */
  maxIdBytes?: number;
  /** Expired items each call drops from the shard it touches (default 100). */
  purgeBudget?: number;
  /** Receives errors of connections the store owns. */
  onError?: (err: Error) => void;
  /**
   * Retry a batch that failed with a retryable error (`isRetryable`: connection
   * loss, timeouts, `LOADING`, failover states, `DurabilityError`): `true` for the
   * defaults or a `RetryPolicy`. Only batches that are safe to repeat are retried:
   * reads only, or puts only (last write wins); a batch mixing reads and puts is
   * not (a repeat could read its own puts). Default: no retries.
   */
  retry?: boolean | RetryPolicy;
  /**
   * Confirm the puts of every batch on `replicas` replicas before it resolves
   * (`WAIT` pipelined behind each shard's script, same round trip). When they do
   * not confirm within `timeoutMs` the batch rejects with `DurabilityError`; the
   * puts were applied on the master. Default: none.
   */
  durability?: DurabilityOptions;
}

/** Every key of {@link RedisStoreOptions}; any other is refused with `UnknownOptionError`. */
export const REDIS_STORE_OPTIONS = [
  'prefix',
  'shardDepth',
  'index',
  'ttlMs',
  'refreshOnRead',
  'searchScanLimit',
  'maxCandidates',
  'maxValueBytes',
  'maxIdBytes',
  'purgeBudget',
  'onError',
  'retry',
  'durability',
] as const;

/** Every key of {@link StoreIndexConfig}. */
export const STORE_INDEX_OPTIONS = ['dims', 'embeddings', 'fields'] as const;

/** The checked settings of a store. */
export interface StoreSettings {
  prefix: string;
  shardDepth: number;
  index: StoreIndexConfig | undefined;
  fields: string[];
  ttlMs: number;
  refreshOnRead: boolean;
  searchScanLimit: number;
  maxCandidates: number;
  maxValueBytes: number;
  maxIdBytes: number;
  purgeBudget: number;
  retry: ResolvedRetryPolicy | undefined;
  durability: ResolvedDurability | undefined;
}

function checkIndex(value: unknown): StoreIndexConfig | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) {
    throw new InvalidArgumentError(`index must be { embeddings, dims, fields? }, got ${describeValue(value)}`, { argument: 'index' });
  }
  const index = checkOptions(value as Partial<StoreIndexConfig>, 'RedisStore index', { accepted: STORE_INDEX_OPTIONS });
  checkInteger(index.dims, 'index.dims', { min: 1, max: 65_536 });
  const e = index.embeddings as { embedDocuments?: unknown; embedQuery?: unknown } | undefined;
  if (typeof e !== 'object' || e === null || typeof e.embedDocuments !== 'function' || typeof e.embedQuery !== 'function') {
    throw new InvalidArgumentError(`index.embeddings must have embedDocuments and embedQuery, got ${describeValue(e)}`, { argument: 'index.embeddings' });
  }
  if (index.fields !== undefined && (!Array.isArray(index.fields) || !index.fields.every((f) => typeof f === 'string' && f !== ''))) {
    throw new InvalidArgumentError(`index.fields must be an array of paths, got ${describeValue(index.fields)}`, { argument: 'index.fields' });
  }
  return index as StoreIndexConfig;
}

/** Checks the options of a store, before anything connects. */
export function checkStoreOptions(given: RedisStoreOptions | undefined): StoreSettings {
  const options = checkOptions(given, 'RedisStore options', {
    accepted: REDIS_STORE_OPTIONS,
    renamed: { ttl: 'ttlMs', defaultTtlMs: 'ttlMs', namespace: 'prefix' },
  });
  checkFunction(options.onError, 'onError');
  const maxIdBytes = checkLimit(options.maxIdBytes, 'maxIdBytes', DEFAULT_MAX_ID_BYTES, 1, MAX_ID_BYTES_LIMIT);
  const index = checkIndex(options.index);
  return {
    prefix: options.prefix === undefined ? 'store' : checkId(options.prefix, 'prefix', maxIdBytes),
    shardDepth: checkInteger(options.shardDepth, 'shardDepth', { min: 1, max: 64 }, 2),
    index,
    fields: index?.fields ?? ['$'],
    ttlMs: checkInteger(options.ttlMs, 'ttlMs', { min: 0 }, 0),
    refreshOnRead: checkBoolean(options.refreshOnRead, 'refreshOnRead', false),
    searchScanLimit: checkInteger(options.searchScanLimit, 'searchScanLimit', { min: 1, max: 10_000_000 }, 10_000),
    maxCandidates: checkInteger(options.maxCandidates, 'maxCandidates', { min: 1, max: 100_000 }, 1000),
    maxValueBytes: checkLimit(options.maxValueBytes, 'maxValueBytes', DEFAULT_MAX_PAYLOAD_BYTES, 2, MAX_PAYLOAD_BYTES_LIMIT),
    maxIdBytes,
    purgeBudget: checkInteger(options.purgeBudget, 'purgeBudget', { min: 1, max: 100_000 }, 100),
    retry: checkRetryPolicy(options.retry),
    durability: checkDurability(options.durability),
  };
}
