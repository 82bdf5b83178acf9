import {
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
import { DurabilityError } from './durability.js';
import { errorGuard } from './validate/brand.js';

/** True for any error an `@x` primitive throws on purpose (from any copy of the package). */
export const isRedisPrimitiveError = errorGuard(RedisPrimitiveError);
/** True for rejected input of any kind: unknown options, wrong types, ranges, sizes, unserialisable values. */
export const isInvalidArgumentError = errorGuard(InvalidArgumentError);
/** True for an unknown (or renamed) option key. */
export const isUnknownOptionError = errorGuard(UnknownOptionError);
/** True for an id, key or payload over its byte limit. */
export const isInputTooLargeError = errorGuard(InputTooLargeError);
/** True for a value that cannot be stored so that it reads back as written. */
export const isNotSerializableError = errorGuard(NotSerializableError);
/** True for a call on an object after its `close()` (any package's closed error). */
export const isClosedError = errorGuard(ClosedError);
/** True for a connection failure (worth retrying), including {@link isConnectionClosedError}. */
export const isConnectionError = errorGuard(ConnectionError);
/** True when the connection (or the adapter) was closed. */
export const isConnectionClosedError = errorGuard(ConnectionClosedError);
/** True for keys of one call in different hash slots. */
export const isCrossSlotError = errorGuard(CrossSlotError);
/** True for an error raised by a Lua script. */
export const isScriptError = errorGuard(ScriptError);
/** True for an error reply to a plain command. */
export const isCommandError = errorGuard(CommandError);
/** True for a write its replicas did not confirm in time (from any copy of the package). */
export const isDurabilityError = errorGuard(DurabilityError);
