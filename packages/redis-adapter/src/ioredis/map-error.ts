import { ConnectionClosedError, ConnectionError, InvalidArgumentError, RedisPrimitiveError } from '../errors.js';
import { mapReplyError } from '../reply-error.js';

/** ioredis' messages for a command on a connection that was closed for good. */
const CLOSED_MESSAGES = new Set(['Connection is closed.', 'Cluster is ended.']);

/**
 * Maps an ioredis (or iovalkey) failure to the same typed errors as node-redis'
 * ({@link mapError} of the node-redis transport): server replies through the
 * shared {@link mapReplyError}, closed connections, timeouts (the adapter's
 * deadline or ioredis' own `commandTimeout`), refused arguments, and anything
 * else as a `ConnectionError`. Told by name and message, so every copy of the
 * library is recognised.
 */
export function mapIoredisError(err: unknown, what: { script?: string; command?: string }): Error {
  if (err instanceof RedisPrimitiveError) return err;
  if (!(err instanceof Error)) return new ConnectionError(`Redis connection failed: ${String(err)}`, { cause: err });
  if (err.name === 'ReplyError') return mapReplyError(err.message, err, what);
  if (err.name === 'TimeoutError' || err.message === 'Command timed out') {
    return new ConnectionError('Redis connection failed: command timeout', { cause: err });
  }
  if (CLOSED_MESSAGES.has(err.message)) return new ConnectionClosedError(undefined, { cause: err });
  if (err.name === 'AbortError') return err;
  if (err instanceof TypeError || err instanceof RangeError) {
    return new InvalidArgumentError(`ioredis refused the arguments of ${what.script ?? what.command ?? 'a command'}: ${err.message}`, {
      cause: err,
    });
  }
  return new ConnectionError(`Redis connection failed: ${err.message}`, { cause: err });
}
