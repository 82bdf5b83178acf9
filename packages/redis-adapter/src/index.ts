/**
 * The narrow Redis port of the `@x` primitives and its node-redis 6 and
 * ioredis 5/6 implementations: scripts with NOSCRIPT fallback (also in pipelines), cluster
 * routing with a cross-slot check before sending, one subscriber connection
 * per adapter (sharded on a cluster), SCAN on every master, key helpers and
 * typed errors.
 *
 * @packageDocumentation
 */
export type {
  AdapterStats,
  CallOptions,
  CommandCall,
  MessageListener,
  RedisAdapter,
  RedisArg,
  ScanOptions,
  ScriptCall,
  ScriptValues,
  SettledReply,
  SubscribeOptions,
  Subscription,
  Topology,
} from './port.js';
export { CALL_OPTIONS, SCAN_OPTIONS, SUBSCRIBE_OPTIONS } from './port.js';
export { CREATE_ADAPTER_OPTIONS, createRedisAdapter, isRedisAdapter, type CreateAdapterOptions } from './create.js';
export { CLIENT_LIBRARIES, MissingClientError, isMissingClientError, type ClientLibrary } from './client-library.js';
export {
  TARGET_SHAPES,
  isRedisUrl,
  type ClusterSeed,
  type IoredisConnection,
  type NodeRedisConnection,
  type RedisConnectOptions,
  type RedisInput,
  type RedisTarget,
} from './target.js';
export {
  ClosedError,
  CommandError,
  ConnectionClosedError,
  ConnectionError,
  CrossSlotError,
  InputTooLargeError,
  InvalidArgumentError,
  NotSerializableError,
  RedisPrimitiveError,
  ScriptError,
  UnknownOptionError,
} from './errors.js';
export {
  isClosedError,
  isCommandError,
  isConnectionClosedError,
  isConnectionError,
  isCrossSlotError,
  isDurabilityError,
  isInputTooLargeError,
  isInvalidArgumentError,
  isNotSerializableError,
  isRedisPrimitiveError,
  isScriptError,
  isUnknownOptionError,
} from './guards.js';
export { RETRYABLE_REPLY_PREFIXES, isRetryable, isRetryableReply } from './retryable.js';
export {
  RETRY_POLICY_OPTIONS,
  backoffMs,
  checkRetryPolicy,
  withRetry,
  type ResolvedRetryPolicy,
  type RetryHooks,
  type RetryPolicy,
} from './retry.js';
export {
  DURABILITY_OPTIONS,
  DurabilityError,
  checkDurability,
  pipelineDurably,
  runScriptDurably,
  type DurabilityOptions,
  type ResolvedDurability,
} from './durability.js';
export { CLUSTER_FAILOVER_DEFAULTS, FAILOVER_RECONNECT_MAX_MS, SENTINEL_FAILOVER_DEFAULTS } from './node-redis/failover-defaults.js';
export * from './validate/index.js';
export { Keyspace, assertId, decodeKeyPart, encodeKeyPart, escapeGlob } from './keys.js';
export { HASH_SLOTS, hashSlot } from './slot.js';
// Scripts of your own are described the way the packages describe theirs; re-exported so an
// adapter user needs no second install.
export { defineScript, type DefineScriptInput, type ScriptDescriptor } from '@x/lua-scripts';
