/**
 * One-round-trip atomic session operations for agents on plain Redis:
 * append a message, record a model response together with its cache entry and
 * token metrics, hand a session from one agent to another, each in one Lua
 * script call with the TTLs of every session key refreshed inside it.
 *
 * @packageDocumentation
 */
export { AtomicOperations, MAX_MESSAGES_PER_CALL } from './atomic-operations.js';
export { AtomicOpsKeys, SESSION_KEY_NAMES, type SessionKeys } from './keys.js';
export type {
  AppendOptions,
  AtomicOperationsOptions,
  AtomicOperationsRedis,
  CacheScope,
  CachedResponse,
  GetCachedResponseOptions,
  GetMessagesOptions,
  HandoffEntry,
  HandoffInput,
  HandoffResult,
  Message,
  RecordResponseInput,
  RecordResponseResult,
  SessionInfo,
} from './types.js';
export {
  HandoffConflictError,
  HandoffInProgressError,
  MessageTooLargeError,
  OperationIdConflictError,
  UnexpectedReplyError,
  isHandoffConflictError,
  isHandoffInProgressError,
  isMessageTooLargeError,
  isOperationIdConflictError,
  isUnexpectedReplyError,
} from './errors.js';
export { MAX_COUNT, MAX_TTL_MS } from './validate.js';
export {
  MAX_REPLACE_MESSAGES,
  SuffixMismatchError,
  type PopMessageOptions,
  type ReplaceMessagesInput,
} from './history-edits.js';
export {
  ClosedError,
  CommandError,
  ConnectionClosedError,
  ConnectionError,
  CrossSlotError,
  DurabilityError,
  InputTooLargeError,
  InvalidArgumentError,
  NotSerializableError,
  RedisPrimitiveError,
  ScriptError,
  UnknownOptionError,
  isClosedError,
  isConnectionError,
  isDurabilityError,
  isRetryable,
  isInputTooLargeError,
  isInvalidArgumentError,
  isNotSerializableError,
  isRedisPrimitiveError,
  isUnknownOptionError,
  type DurabilityOptions,
  type RedisTarget,
  type RetryPolicy,
} from '@x/redis-adapter';
