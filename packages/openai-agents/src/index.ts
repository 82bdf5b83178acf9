/**
 * A Redis `Session` for the OpenAI Agents SDK (JS), built on `@x/atomic-ops`:
 * one round trip per read or write, atomic and idempotent history transactions,
 * a sliding window, TTL on every key, cluster-safe keys.
 *
 * @packageDocumentation
 */
export { RedisSession, MAX_ITEMS_PER_WRITE, type SessionWriteOptions } from './redis-session.js';
export type { RedisSessionOptions, RedisSessionRedis } from './options.js';
export {
  ClosedError,
  CommandError,
  ConnectionClosedError,
  ConnectionError,
  CrossSlotError,
  DurabilityError,
  InputTooLargeError,
  InvalidArgumentError,
  MessageTooLargeError,
  NotSerializableError,
  UnknownOptionError,
  isClosedError,
  isConnectionError,
  isDurabilityError,
  isInputTooLargeError,
  isInvalidArgumentError,
  isMessageTooLargeError,
  isNotSerializableError,
  isRedisPrimitiveError,
  isUnknownOptionError,
  OperationIdConflictError,
  RedisPrimitiveError,
  ScriptError,
  SuffixMismatchError,
  isRetryable,
  type DurabilityOptions,
  type RetryPolicy,
} from '@x/atomic-ops';
