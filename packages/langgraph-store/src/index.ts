/**
 * LangGraph.js long-term memory (a `BaseStore`) on plain Redis (no modules):
 * batches in one round trip per shard, server-side filters in Lua, semantic
 * search with your embeddings, per-item TTL, Redis Cluster and Sentinel.
 *
 * @packageDocumentation
 */
export {
  GET_OPTIONS,
  LIST_NAMESPACES_OPTIONS,
  PUT_OPTIONS,
  RedisStore,
  SEARCH_OPTIONS,
  type RedisGetOperation,
  type RedisPutOperation,
  type RedisSearchOperation,
  type StoreGetOptions,
  type StorePutOptions,
  type StoreSearchOptions,
} from './store.js';
export { REDIS_STORE_OPTIONS, STORE_INDEX_OPTIONS, type RedisStoreOptions } from './options.js';
export type { StoreIndexConfig } from './vectors.js';
export { SHARD_KEY_NAMES, StoreKeys, decodeNamespace, encodeNamespace } from './keys.js';
export * from './errors.js';
export type { DurabilityOptions, RetryPolicy } from '@x/redis-adapter';
