import {
  BaseStore,
  type GetOperation,
  type Item,
  type ListNamespacesOperation,
  type MatchCondition,
  type Operation,
  type OperationResults,
  type PutOperation,
  type SearchItem,
  type SearchOperation,
  validateNamespace,
} from '@langchain/langgraph-checkpoint';
import {
  ClosedError,
  InvalidArgumentError,
  checkBoolean,
  checkConnectionFirst,
  checkId,
  checkInteger,
  checkOptions,
  createRedisAdapter,
  describeValue,
  isPlainObject,
  isRedisAdapter,
  toJson,
  withRetry,
  type RedisAdapter,
  type RedisTarget,
} from '@x/redis-adapter';
import { compileFilter } from './filter.js';
import { StoreKeys } from './keys.js';
import { checkStoreOptions, type RedisStoreOptions, type StoreSettings } from './options.js';
import { BatchPlan, type ListSpec, type PutSpec, type SearchSpec } from './plan.js';
import { checkVector, packVectors, textsAt } from './vectors.js';

/** A put as {@link RedisStore.batch} takes it: LangGraph's `PutOperation` plus an optional per-item TTL. */
export type RedisPutOperation = PutOperation & { ttlMs?: number };
/** A get as {@link RedisStore.batch} takes it: LangGraph's `GetOperation` plus `refreshTtl`. */
export type RedisGetOperation = GetOperation & { refreshTtl?: boolean };
/** A search as {@link RedisStore.batch} takes it: LangGraph's `SearchOperation` plus `refreshTtl`. */
export type RedisSearchOperation = SearchOperation & { refreshTtl?: boolean };

/** Per-call options of {@link RedisStore.put}. */
export interface StorePutOptions {
  /** This item expires this many ms after the put (0: never); default the store's `ttlMs`. */
  ttlMs?: number;
}

/** Per-call options of {@link RedisStore.get}. */
export interface StoreGetOptions {
  /** Push the item's expiry to now + its TTL; default the store's `refreshOnRead`. */
  refreshTtl?: boolean;
}

/** Options of {@link RedisStore.search}: LangGraph's, plus `refreshTtl`. */
export interface StoreSearchOptions {
  filter?: Record<string, any>;
  limit?: number;
  offset?: number;
  query?: string;
  /** Push the expiry of the items returned; default the store's `refreshOnRead`. */
  refreshTtl?: boolean;
}

/** Every key of {@link StorePutOptions}. */
export const PUT_OPTIONS = ['ttlMs'] as const;
/** Every key of {@link StoreGetOptions}. */
export const GET_OPTIONS = ['refreshTtl'] as const;
/** Every key of {@link StoreSearchOptions}. */
export const SEARCH_OPTIONS = ['filter', 'limit', 'offset', 'query', 'refreshTtl'] as const;
/** Every key of the options of `listNamespaces`. */
export const LIST_NAMESPACES_OPTIONS = ['prefix', 'suffix', 'maxDepth', 'limit', 'offset'] as const;

type Checked =
  | { kind: 'get'; namespace: string[]; key: string; refresh: boolean }
  | { kind: 'search'; spec: SearchSpec; query: string | undefined }
  | { kind: 'list'; spec: ListSpec }
  | { kind: 'put'; spec: PutSpec; value: Record<string, unknown> | null; index: false | string[] | undefined };

/**
 * LangGraph.js long-term memory (a `BaseStore`) on plain Redis: no RediSearch, no
 * RedisJSON. A batch is one script per shard touched, sent in one round trip (two when
 * a search or a namespace listing spans shards); reads see the state before the batch,
 * the last put per key wins. Filters run in Lua, `query` ranks filtered items by exact
 * cosine when an `index` is given, items may expire (`ttlMs`).
 *
 * ```ts
 * const store = new RedisStore('redis://localhost:6379');
 * const graph = workflow.compile({ checkpointer, store });
 * ```
 */
export class RedisStore extends BaseStore {
  /** The adapter every call goes through (exposed for round-trip counting and admin use). */
  readonly redis: RedisAdapter;
  /** The key builders of this store's prefix. */
  readonly keys: StoreKeys;
  readonly #s: StoreSettings;
  readonly #ownsConnection: boolean;
  #closed = false;

  /**
   * @param redis - the connection (see `RedisTarget`): a URL (on a cluster node it connects to
   *   the cluster), `{ url }`, cluster seeds or `{ rootNodes }`, sentinel settings, a node-redis
   *   or ioredis client / cluster, or an adapter. A connection you pass stays yours; one the
   *   store opens from a URL or settings is closed by `close()`.
   * @param options - see {@link RedisStoreOptions}; unknown keys are refused.
   */
  constructor(redis: RedisTarget, options?: RedisStoreOptions) {
    super();
    checkConnectionFirst('RedisStore', redis, options, '{ prefix, ttlMs, ... }');
    this.#s = checkStoreOptions(options);
    this.keys = new StoreKeys(this.#s.prefix, this.#s.shardDepth, this.#s.maxIdBytes);
    const onError = options?.onError;
    this.redis = createRedisAdapter(redis, onError ? { onError } : {});
    this.#ownsConnection = !isRedisAdapter(redis) && this.redis.ownsConnection;
  }

  /** The semantic search settings, or undefined when `query` is ignored. */
  get indexConfig(): StoreSettings['index'] {
    return this.#s.index;
  }

  /** Reads one item; `refreshTtl` pushes its expiry (see {@link StoreGetOptions}). */
  override async get(namespace: string[], key: string, options?: StoreGetOptions): Promise<Item | null> {
    if (options === undefined) return super.get(namespace, key);
    const { refreshTtl } = checkOptions(options, 'get options', { accepted: GET_OPTIONS });
    validateNamespace(namespace, { allowEmpty: true, allowReservedRoot: true });
    const [item] = await this.batch([{ namespace, key, refreshTtl } as RedisGetOperation]);
    return item as Item | null;
  }

  /** Writes one item (`null` deletes it); `ttlMs` sets its expiry (see {@link StorePutOptions}). */
  override async put(
    namespace: string[],
    key: string,
    value: Record<string, any>,
    index?: false | string[],
    options?: StorePutOptions,
  ): Promise<void> {
    if (options === undefined) return super.put(namespace, key, value, index);
    const { ttlMs } = checkOptions(options, 'put options', { accepted: PUT_OPTIONS });
    validateNamespace(namespace);
    await this.batch([{ namespace, key, value, index, ttlMs } as RedisPutOperation]);
  }

  /** Searches a namespace prefix (see LangGraph's `BaseStore.search`), plus `refreshTtl`. */
  override async search(namespacePrefix: string[], options: StoreSearchOptions = {}): Promise<SearchItem[]> {
    const o = checkOptions(options, 'search options', { accepted: SEARCH_OPTIONS });
    if (o.refreshTtl === undefined) return super.search(namespacePrefix, o);
    const [items] = await this.batch([
      { namespacePrefix, filter: o.filter, limit: o.limit ?? 10, offset: o.offset ?? 0, query: o.query, refreshTtl: o.refreshTtl } as RedisSearchOperation,
    ]);
    return items as SearchItem[];
  }

  /** Lists namespaces (see LangGraph's `BaseStore.listNamespaces`). */
  override async listNamespaces(
    options: { prefix?: string[]; suffix?: string[]; maxDepth?: number; limit?: number; offset?: number } = {},
  ): Promise<string[][]> {
    checkOptions(options, 'listNamespaces options', { accepted: LIST_NAMESPACES_OPTIONS });
    return super.listNamespaces(options);
  }

  /** Closes the connection if the store opened it (from a URL or settings); a client you passed stays open. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsConnection) await this.redis.close();
  }

  /** `await using store = new RedisStore(...)` (Node 24+, TypeScript 5.2+): {@link RedisStore.close}. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * Runs operations as one batch: every get, search and listing sees the state before the
   * batch, then the puts apply (the last one per namespace and key wins). Puts return `null`.
   */
  async batch<Op extends Operation[]>(operations: Op): Promise<OperationResults<Op>> {
    if (this.#closed) throw new ClosedError('RedisStore');
    if (!Array.isArray(operations)) {
      throw new InvalidArgumentError(`batch takes an array of operations, got ${describeValue(operations)}`, { argument: 'operations' });
    }
    const checked = operations.map((op, i) => this.#check(op, i));
    await this.#embed(checked);
    const run = () => {
      if (this.#closed) throw new ClosedError('RedisStore');
      return this.#plan(checked).run(this.redis);
    };
    // Reads only, or puts only (last write wins), are safe to repeat; a repeat of a mixed
    // batch could read its own puts, applied by the try whose reply was lost.
    const puts = checked.filter((c) => c.kind === 'put').length;
    const safe = puts === 0 || puts === checked.length;
    return (await (safe ? withRetry(this.#s.retry, run) : run())) as OperationResults<Op>;
  }

  /** A fresh plan of checked operations (a plan runs once). */
  #plan(checked: Checked[]): BatchPlan {
    const s = this.#s;
    const plan = new BatchPlan(
      this.keys,
      { purgeBudget: s.purgeBudget, searchScanLimit: s.searchScanLimit, maxCandidates: s.maxCandidates, dims: s.index?.dims ?? 0, durability: s.durability },
      checked.length,
    );
    checked.forEach((c, i) => {
      if (c.kind === 'get') plan.get(i, c.namespace, c.key, c.refresh);
      else if (c.kind === 'search') plan.search(i, c.spec);
      else if (c.kind === 'list') plan.list(i, c.spec);
      else plan.put(c.spec);
    });
    return plan;
  }

  /** A checked namespace: an array of non-empty labels without `.`, `:` or NUL. */
  #namespace(value: unknown, argument: string, allowEmpty: boolean): string[] {
    if (!Array.isArray(value)) throw new InvalidArgumentError(`${argument} must be an array of labels, got ${describeValue(value)}`, { argument });
    if (value.length === 0 && !allowEmpty) throw new InvalidArgumentError(`${argument} cannot be empty`, { argument });
    for (const label of value) {
      checkId(label, `${argument} label`, this.#s.maxIdBytes);
      if (/[.:\0]/.test(label as string)) {
        throw new InvalidArgumentError(`${argument} label ${JSON.stringify(label)} cannot contain '.', ':' or NUL`, { argument });
      }
    }
    return [...(value as string[])];
  }

  #check(op: unknown, i: number): Checked {
    if (!isPlainObject(op)) throw new InvalidArgumentError(`operation ${i} must be an object, got ${describeValue(op)}`, { argument: 'operations' });
    if ('namespacePrefix' in op) {
      const s = op as unknown as RedisSearchOperation;
      const query = s.query;
      if (query !== undefined && typeof query !== 'string') throw new InvalidArgumentError(`query must be a string, got ${describeValue(query)}`, { argument: 'query' });
      return {
        kind: 'search',
        query: this.#s.index !== undefined && query !== undefined && query !== '' ? query : undefined,
        spec: {
          prefix: this.#namespace(s.namespacePrefix, 'namespacePrefix', true),
          filter: compileFilter(s.filter),
          limit: checkInteger(s.limit, 'limit', { min: 0 }, 10),
          offset: checkInteger(s.offset, 'offset', { min: 0 }, 0),
          refresh: checkBoolean(s.refreshTtl, 'refreshTtl', this.#s.refreshOnRead),
          queryVector: undefined,
        },
      };
    }
    if ('value' in op) {
      const p = op as unknown as RedisPutOperation;
      const namespace = this.#namespace(p.namespace, 'namespace', false);
      const key = checkId(p.key, 'key', this.#s.maxIdBytes);
      if (p.value !== null && !isPlainObject(p.value)) {
        throw new InvalidArgumentError(`value must be a plain object, or null to delete, got ${describeValue(p.value)}`, { argument: 'value' });
      }
      if (p.index !== undefined && p.index !== false && !(Array.isArray(p.index) && p.index.every((f) => typeof f === 'string'))) {
        throw new InvalidArgumentError(`index must be false or an array of paths, got ${describeValue(p.index)}`, { argument: 'index' });
      }
      const json = p.value === null ? '' : toJson(p.value, 'value', this.#s.maxValueBytes, 'maxValueBytes');
      const ttlMs = checkInteger(p.ttlMs, 'ttlMs', { min: 0 }, this.#s.ttlMs);
      return { kind: 'put', value: p.value, index: p.index, spec: { namespace, key, json, ttlMs, vectors: '' } };
    }
    if ('namespace' in op || 'key' in op) {
      const g = op as unknown as RedisGetOperation;
      return {
        kind: 'get',
        namespace: this.#namespace(g.namespace, 'namespace', false),
        key: checkId(g.key, 'key', this.#s.maxIdBytes),
        refresh: checkBoolean(g.refreshTtl, 'refreshTtl', this.#s.refreshOnRead),
      };
    }
    if ('matchConditions' in op || 'limit' in op || 'offset' in op || 'maxDepth' in op) {
      const l = op as unknown as ListNamespacesOperation;
      const conditions: MatchCondition[] = [];
      if (l.matchConditions !== undefined) {
        if (!Array.isArray(l.matchConditions)) throw new InvalidArgumentError(`matchConditions must be an array, got ${describeValue(l.matchConditions)}`, { argument: 'matchConditions' });
        for (const c of l.matchConditions) {
          if (!isPlainObject(c) || (c.matchType !== 'prefix' && c.matchType !== 'suffix')) {
            throw new InvalidArgumentError(`a match condition must be { matchType: 'prefix' | 'suffix', path }, got ${describeValue(c)}`, { argument: 'matchConditions' });
          }
          conditions.push({ matchType: c.matchType, path: this.#namespace(c.path, c.matchType, true) });
        }
      }
      return {
        kind: 'list',
        spec: {
          conditions,
          maxDepth: l.maxDepth === undefined ? undefined : checkInteger(l.maxDepth, 'maxDepth', { min: 0 }),
          limit: l.limit === undefined ? undefined : checkInteger(l.limit, 'limit', { min: 0 }),
          offset: checkInteger(l.offset, 'offset', { min: 0 }, 0),
        },
      };
    }
    throw new InvalidArgumentError(`operation ${i} is not a get, search, put or list-namespaces operation: ${describeValue(op)}`, { argument: 'operations' });
  }

  /** Embeds the queries and the put values of a batch (one call each to the embeddings). */
  async #embed(checked: Checked[]): Promise<void> {
    const index = this.#s.index;
    if (index === undefined) return;
    const queries = [...new Set(checked.flatMap((c) => (c.kind === 'search' && c.query !== undefined ? [c.query] : [])))];
    const texts = new Map<string, number[] | undefined>();
    const perPut = new Map<PutSpec, string[]>();
    for (const c of checked) {
      if (c.kind !== 'put' || c.value === null || c.index === false) continue;
      const found = (c.index ?? this.#s.fields).flatMap((path) => textsAt(c.value, path));
      perPut.set(c.spec, found);
      for (const t of found) texts.set(t, undefined);
    }
    const docs = [...texts.keys()];
    const [queryVectors, docVectors] = await Promise.all([
      Promise.all(queries.map((q) => index.embeddings.embedQuery(q))),
      docs.length > 0 ? index.embeddings.embedDocuments(docs) : Promise.resolve([] as number[][]),
    ]);
    docs.forEach((t, i) => texts.set(t, checkVector(docVectors[i], index.dims, `the vector of document ${i}`)));
    const byQuery = new Map(queries.map((q, i) => [q, checkVector(queryVectors[i], index.dims, `the vector of query ${JSON.stringify(q)}`)]));
    for (const c of checked) if (c.kind === 'search' && c.query !== undefined) c.spec.queryVector = byQuery.get(c.query);
    for (const [spec, found] of perPut) spec.vectors = packVectors(found.map((t) => texts.get(t)!));
  }
}
