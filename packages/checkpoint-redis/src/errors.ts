import { RedisPrimitiveError } from '@x/redis-adapter';

export {
  CommandError,
  ConnectionClosedError,
  ConnectionError,
  CrossSlotError,
  InvalidArgumentError,
  RedisPrimitiveError,
  ScriptError,
} from '@x/redis-adapter';

/**
 * Data read from Redis is not in the layout this package writes (a foreign
 * key under the prefix, or a record cut short). Nothing was changed.
 */
export class CorruptCheckpointError extends RedisPrimitiveError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_CHECKPOINT_CORRUPT', `checkpoint data is corrupt: ${message}`, options);
  }
}
