/**
 * The narrow Redis port of the `@x` primitives and its node-redis 6
 * implementation: scripts with NOSCRIPT fallback (also in pipelines), cluster
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
export {
  createRedisAdapter,
  isRedisAdapter,
  type CreateAdapterOptions,
  type NodeRedisConnection,
  type RedisConnectOptions,
  type RedisInput,
} from './create.js';
export {
  CommandError,
  ConnectionClosedError,
  ConnectionError,
  CrossSlotError,
  InvalidArgumentError,
  RedisPrimitiveError,
  ScriptError,
} from './errors.js';
export { Keyspace, assertId, decodeKeyPart, encodeKeyPart, escapeGlob } from './keys.js';
export { HASH_SLOTS, hashSlot } from './slot.js';
// Scripts of your own are described the way the packages describe theirs; re-exported so an
// adapter user needs no second install.
export { defineScript, type DefineScriptInput, type ScriptDescriptor } from '@x/lua-scripts';
