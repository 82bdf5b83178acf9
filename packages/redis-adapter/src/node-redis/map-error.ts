import { ConnectionClosedError, ConnectionError, InvalidArgumentError, RedisPrimitiveError } from '../errors.js';
import { mapReplyError } from '../reply-error.js';

/**
 * True when Redis answered NOSCRIPT (the script is not in its cache). Told by
 * the reply text, not by class, so a client built from another copy of
 * node-redis (whose ErrorReply is a different class) still gets the fallback.
 */
export function isNoScript(err: unknown): boolean {
  return err instanceof Error && typeof err.message === 'string' && err.message.startsWith('NOSCRIPT');
}

/**
 * An error reply of the server, from any copy of node-redis. Told by class name
 * (node-redis is an optional peer: this module must load without it).
 */
const REPLY_CLASSES = new Set(['ErrorReply', 'SimpleError', 'BlobError', 'MultiErrorReply']);
function isErrorReply(err: unknown): err is Error {
  return err instanceof Error && REPLY_CLASSES.has(err.constructor?.name);
}

/**
 * Maps a node-redis failure to the typed errors callers act on.
 * `abortMeansTimeout`: the call went out with the adapter's shared deadline and
 * no other abort signal, so node-redis' AbortError can only be that deadline.
 */
export function mapError(err: unknown, what: { script?: string; command?: string }, abortMeansTimeout = false): Error {
  if (err instanceof RedisPrimitiveError) return err;
  if (isA(err, 'TimeoutError') || (abortMeansTimeout && isA(err, 'AbortError'))) {
    return new ConnectionError('Redis connection failed: command timeout', { cause: err });
  }
  if (isErrorReply(err)) return mapReplyError(err.message, err, what);
  if (err instanceof Error && err.constructor?.name === 'ClientClosedError') return new ConnectionClosedError(undefined, { cause: err });
  if (err instanceof Error && err.name === 'AbortError') return err;
  // node-redis refusing its arguments (a TypeError or RangeError thrown while encoding) is the
  // caller's input, not the connection: a ConnectionError would invite retries that cannot help.
  if (err instanceof TypeError || err instanceof RangeError) {
    return new InvalidArgumentError(`node-redis refused the arguments of ${what.script ?? what.command ?? 'a command'}: ${err.message}`, {
      cause: err,
    });
  }
  if (err instanceof Error) return new ConnectionError(`Redis connection failed: ${err.message}`, { cause: err });
  return new ConnectionError(`Redis connection failed: ${String(err)}`, { cause: err });
}

/**
 * True when err is an instance of a class of that name, or of a subclass of one
 * (node-redis' maintenance timeouts extend TimeoutError). Told by name, so a
 * client built from another copy of node-redis is recognised too.
 */
function isA(err: unknown, className: string): boolean {
  if (!(err instanceof Error)) return false;
  for (let proto = Object.getPrototypeOf(err); proto !== null && proto !== Error.prototype; proto = Object.getPrototypeOf(proto)) {
    if (proto.constructor?.name === className) return true;
  }
  return false;
}
