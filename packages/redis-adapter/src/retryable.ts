/**
 * Which failures are worth retrying: classified once, here, for every `@x`
 * package. An error is retryable when the same call may succeed unchanged a
 * moment later (the server or the connection was in a temporary state); it is
 * not when the call itself is wrong (bad input, a script bug, keys in
 * different slots) or the object was closed.
 *
 * Retryable is not "nothing happened": a call that failed on a lost connection
 * or a timeout may have been applied before the reply was lost. Retry a write
 * only when it is idempotent or carries an operation id.
 */

/**
 * Error-reply prefixes of temporary server states:
 * - `LOADING`: the server is loading its data after a restart;
 * - `CLUSTERDOWN`: the cluster is failing over (or a slot is not served yet);
 * - `TRYAGAIN`: a multi-key call during a slot migration;
 * - `MASTERDOWN`: a replica lost its master (`replica-serve-stale-data no`);
 * - `BUSY`: another script runs past `busy-reply-threshold` (not `BUSYGROUP`, `BUSYKEY`);
 * - `MOVED` / `ASK`: a failover or resharding moved the slot (clients follow
 *   these themselves; one reaching a caller means the topology was stale);
 * - `READONLY`: the node was demoted to a replica during a failover;
 * - `NOREPLICAS`: fewer replicas than `min-replicas-to-write` are connected;
 * - `UNBLOCKED`: a blocked call (a `WAIT` for replicas) was released because
 *   the node changed role in a failover.
 */
export const RETRYABLE_REPLY_PREFIXES = [
  'LOADING',
  'CLUSTERDOWN',
  'TRYAGAIN',
  'MASTERDOWN',
  'BUSY',
  'MOVED',
  'ASK',
  'READONLY',
  'NOREPLICAS',
  'UNBLOCKED',
] as const;

const RETRYABLE_REPLY = new RegExp(`^(?:${RETRYABLE_REPLY_PREFIXES.join('|')})(?:\\s|$)`);

/**
 * True when a Redis error reply names a temporary server state (see
 * {@link RETRYABLE_REPLY_PREFIXES}). Script bugs, wrong types, bad arguments
 * and `CROSSSLOT` are not.
 */
export function isRetryableReply(message: string): boolean {
  return RETRYABLE_REPLY.test(message);
}

/** The brand keys {@link isRetryable} falls back on for errors of an older copy without a `retryable` property. */
const CONNECTION = Symbol.for('@x/error:ConnectionError');
const CONNECTION_CLOSED = Symbol.for('@x/error:ConnectionClosedError');
const REPLY_ERRORS = [Symbol.for('@x/error:ScriptError'), Symbol.for('@x/error:CommandError')];

/**
 * True when retrying the failed call may succeed: the error's own `retryable`
 * flag (every error of the `@x` packages carries one), from any copy of any
 * package. Errors without the flag (from an older copy, or not ours) count as
 * retryable only when branded as a connection failure (not a closed
 * connection) or a Redis reply of a temporary state.
 *
 * Whether a retry is *safe* is a second question: see the package's
 * "Failures and retries" section for the calls that need an operation id.
 */
export function isRetryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as Record<PropertyKey, unknown>;
  if (typeof e.retryable === 'boolean') return e.retryable;
  if (e[CONNECTION_CLOSED] === true) return false;
  if (e[CONNECTION] === true) return true;
  if (REPLY_ERRORS.some((brand) => e[brand] === true) && typeof e.redisMessage === 'string') return isRetryableReply(e.redisMessage);
  return false;
}
