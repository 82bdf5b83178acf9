/**
 * A Redis chat message history for LangChain.js, built on `@x/atomic-ops`:
 * `addMessages` in one atomic call, `getMessages` in one call, a sliding window,
 * TTL on every key, cluster-safe keys.
 *
 * @packageDocumentation
 */
export { RedisChatMessageHistory } from './redis-chat-message-history.js';
export type { RedisChatMessageHistoryOptions, RedisChatMessageHistoryRedis } from './options.js';
export {
  ClosedError,
  CommandError,
  ConnectionClosedError,
  ConnectionError,
  CrossSlotError,
  InputTooLargeError,
  InvalidArgumentError,
  MessageTooLargeError,
  NotSerializableError,
  UnknownOptionError,
  isClosedError,
  isConnectionError,
  isInputTooLargeError,
  isInvalidArgumentError,
  isMessageTooLargeError,
  isNotSerializableError,
  isRedisPrimitiveError,
  isUnknownOptionError,
  RedisPrimitiveError,
  ScriptError,
  isRetryable,
} from '@x/atomic-ops';
