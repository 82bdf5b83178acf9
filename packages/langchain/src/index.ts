/**
 * A Redis chat message history for LangChain.js, built on `@x/atomic-ops`:
 * `addMessages` in one atomic call, `getMessages` in one call, a sliding window,
 * TTL on every key, cluster-safe keys.
 *
 * @packageDocumentation
 */
export { RedisChatMessageHistory, type AddMessagesOptions } from './redis-chat-message-history.js';
export type { RedisChatMessageHistoryOptions, RedisChatMessageHistoryRedis } from './options.js';
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
  RedisPrimitiveError,
  OperationIdConflictError,
  ScriptError,
  isOperationIdConflictError,
  isRetryable,
  type DurabilityOptions,
  type RetryPolicy,
} from '@x/atomic-ops';
