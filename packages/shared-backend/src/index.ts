/**
 * Shared context buffers and a chain <-> thread uuid registry for multi-process
 * agent pipelines, behind one protocol ({@link SharedBackend}) with three
 * backends: {@link InMemoryBackend} (one process, the default),
 * {@link ProcessSharedBackend} + {@link SharedBackendHost} (local processes over
 * a socket), and {@link RedisBackend} (distributed, multi-tenant, TTL GC, cluster-safe).
 *
 * @packageDocumentation
 */
export type { AppendOptions, BackendInfo, SharedBackend, SlotInput } from './types.js';
export { InMemoryBackend, InMemoryStore, type InMemoryBackendOptions, type SweepResult } from './memory.js';
export { RedisBackend, DEFAULT_PREFIX, type GcResult, type RedisBackendOptions } from './redis.js';
export { SharedBackendHost, type HostAddress, type SharedBackendHostOptions } from './process/host.js';
export { ProcessSharedBackend, type ProcessSharedBackendOptions } from './process/client.js';
export { DEFAULT_MAX_FRAME_BYTES, ENV_SOCKET, ENV_TOKEN, PROTOCOL_VERSION } from './process/protocol.js';
export { ContextBuffer, type ContextBufferOptions } from './context-buffer.js';
export { ThreadRegistry, type ThreadRegistryOptions } from './thread-registry.js';
export { bytesCodec, jsonCodec, textCodec, type SlotCodec } from './codec.js';
export { ManualClock, type Clock } from './clock.js';
export { DEFAULT_INDEX_BUCKETS, MAX_INDEX_BUCKETS, SharedBackendKeys, fnv1a32 } from './keys.js';
export { DEFAULT_MAX_SLOT_BYTES, MAX_TTL_MS } from './validate.js';
export {
  AuthenticationError,
  BackendClosedError,
  ConfigMismatchError,
  OperationIdConflictError,
  ProtocolError,
  RemoteBackendError,
  isAuthenticationError,
  isBackendClosedError,
  isConfigMismatchError,
  isOperationIdConflictError,
  isProtocolError,
  isRemoteBackendError,
} from './errors.js';
export {
  ClosedError,
  CommandError,
  ConnectionClosedError,
  ConnectionError,
  CrossSlotError,
  DEFAULT_MAX_ID_BYTES,
  InputTooLargeError,
  InvalidArgumentError,
  NotSerializableError,
  RedisPrimitiveError,
  ScriptError,
  UnknownOptionError,
  isClosedError,
  isConnectionError,
  isRetryable,
  DurabilityError,
  isDurabilityError,
  type DurabilityOptions,
  type RetryPolicy,
  isInputTooLargeError,
  isInvalidArgumentError,
  isNotSerializableError,
  isRedisPrimitiveError,
  isUnknownOptionError,
  type RedisTarget,
} from '@x/redis-adapter';
