import { ClientClosedError, ErrorReply } from 'redis';
import { CommandError, ConnectionClosedError, ConnectionError, RedisPrimitiveError, ScriptError } from '../errors.js';

/**
 * True when Redis answered NOSCRIPT (the script is not in its cache). Told by
 * the reply text, not by class, so a client built from another copy of
 * node-redis (whose ErrorReply is a different class) still gets the fallback.
 */
export function isNoScript(err: unknown): boolean {
  return err instanceof Error && typeof err.message === 'string' && err.message.startsWith('NOSCRIPT');
}

/** An error reply of the server, from this or another copy of node-redis. */
const REPLY_CLASSES = new Set(['ErrorReply', 'SimpleError', 'BlobError', 'MultiErrorReply']);
function isErrorReply(err: unknown): err is Error {
  return err instanceof ErrorReply || (err instanceof Error && REPLY_CLASSES.has(err.constructor?.name));
}

/**
 * Maps a node-redis failure to the typed errors callers act on. `callerSignal`
 * is the abort signal the caller passed, if any: an abort without one can only
 * be the command timeout (see `deadlines.ts`), reported like node-redis' own.
 */
export function mapError(err: unknown, what: { script?: string; command?: string }, callerSignal?: AbortSignal): Error {
  if (err instanceof RedisPrimitiveError) return err;
  if (isTimeout(err) || (callerSignal === undefined && isNodeRedisAbort(err))) {
    return new ConnectionError('Redis connection failed: command timeout (the command could not be sent in time)', {
      cause: err,
    });
  }
  if (isErrorReply(err)) {
    if (what.script !== undefined) return new ScriptError(what.script, err.message, { cause: err });
    return new CommandError(what.command ?? 'command', err.message, { cause: err });
  }
  if (err instanceof ClientClosedError || (err instanceof Error && err.constructor?.name === 'ClientClosedError')) return new ConnectionClosedError(undefined, { cause: err });
  if (err instanceof Error && err.name === 'AbortError') return err;
  if (err instanceof Error) return new ConnectionError(`Redis connection failed: ${err.message}`, { cause: err });
  return new ConnectionError(`Redis connection failed: ${String(err)}`, { cause: err });
}

/** node-redis' TimeoutError: its own per-command timer fired before the command was sent. */
function isTimeout(err: unknown): boolean {
  return err instanceof Error && err.constructor?.name === 'TimeoutError';
}

/** node-redis' AbortError: the command's abort signal fired before the command was sent. */
function isNodeRedisAbort(err: unknown): boolean {
  return err instanceof Error && err.constructor?.name === 'AbortError';
}
