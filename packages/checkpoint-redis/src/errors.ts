import { RedisPrimitiveError, errorGuard } from '@x/redis-adapter';

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
  isClosedError,
  isConnectionError,
  isInputTooLargeError,
  isInvalidArgumentError,
  isNotSerializableError,
  isRedisPrimitiveError,
  isUnknownOptionError,
} from '@x/redis-adapter';

/**
 * Data read from Redis is not in the layout this package writes (a foreign
 * key under the prefix, or a record cut short). Nothing was changed.
 */
export class CorruptCheckpointError extends RedisPrimitiveError {
  /** Brand shared by every copy of the package (`instanceof` and `isCorruptCheckpointError` rely on it). */
  static readonly brand = Symbol.for('@x/checkpoint-redis:CorruptCheckpointError');

  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_CHECKPOINT_CORRUPT', `checkpoint data is corrupt: ${message}`, options);
  }
}

/** True for a {@link CorruptCheckpointError} from any copy of this package. */
export const isCorruptCheckpointError = errorGuard(CorruptCheckpointError);
