/**
 * A LangGraph.js checkpoint saver on plain Redis (no modules): one Lua script
 * per operation on the thread's hash slot, channel blobs stored only when they
 * change, server-side metadata filters, TTL with refresh-on-read, prune, a
 * shallow saver, and Redis Cluster support.
 *
 * @packageDocumentation
 */
export {
  LIST_OPTIONS,
  MAX_TTL_MS,
  PRUNE_OPTIONS,
  REDIS_SAVER_OPTIONS,
  RENAMED_SAVER_OPTIONS,
  RedisSaver,
  type PruneOptions,
  type PruneResult,
  type RedisSaverOptions,
} from './saver.js';
export { ShallowRedisSaver } from './shallow.js';
export { RedisJsonPlusSerializer } from './serde.js';
export { CheckpointKeys, THREAD_KEY_NAMES } from './keys.js';
export {
  ClosedError,
  CommandError,
  ConnectionClosedError,
  ConnectionError,
  CorruptCheckpointError,
  CrossSlotError,
  InputTooLargeError,
  InvalidArgumentError,
  NotSerializableError,
  RedisPrimitiveError,
  ScriptError,
  UnknownOptionError,
  isClosedError,
  isConnectionError,
  isCorruptCheckpointError,
  isInputTooLargeError,
  isInvalidArgumentError,
  isNotSerializableError,
  isRedisPrimitiveError,
  isUnknownOptionError,
} from './errors.js';
export {
  DurabilityError,
  isDurabilityError,
  isRetryable,
  type DurabilityOptions,
  type RetryPolicy,
} from '@x/redis-adapter';
