import {
  MAX_PAYLOAD_BYTES_LIMIT,
  checkDurability,
  checkFunction,
  checkId,
  checkInteger,
  checkOptions,
  checkRetryPolicy,
  type DurabilityOptions,
  type RedisInput,
  type ResolvedDurability,
  type ResolvedRetryPolicy,
  type RetryPolicy,
} from '@x/redis-adapter';
import { MAX_COUNT, MAX_TTL_MS } from '@x/atomic-ops';

/** Options of {@link RedisSession}. */
export interface RedisSessionOptions {
  /** The session's id (default: a random UUID). Any string: it is encoded into the keys, never parsed. */
  sessionId?: string;
  /** Key prefix (default `'openai-agents'`). Sessions under different prefixes never see each other. */
  prefix?: string;
  /** Keep only the last `maxItems` items (default 0: no limit). Trimmed inside every write. */
  maxItems?: number;
  /** TTL of every key of the session, refreshed by every write (default 0: no expiry). */
  ttlMs?: number;
  /** Largest stored size of one item in bytes (default 8 MiB). Larger items are refused before anything is sent. */
  maxItemBytes?: number;
  /** How many transaction operation ids a session remembers for idempotent retries (default 10 000). */
  maxOperationIds?: number;
  /** Receives errors of a connection this session opened from a URL or settings. */
  onError?: (err: Error) => void;
  /**
   * Retry calls that failed with a retryable error (`isRetryable`): `true` for the
   * defaults or a `RetryPolicy`. Only calls that are safe to repeat are retried:
   * `getItems`, `clearSession`, `applyHistoryTransaction`, and `addItems`, `popItem`,
   * `replaceHistoryWithCompaction` when given an `operationId`. The SDK's own
   * `addItems(items)` / `popItem()` calls carry none and are never retried.
   * Default: no retries.
   */
  retry?: boolean | RetryPolicy;
  /**
   * Confirm every write on `replicas` replicas (`WAIT` behind the script, same
   * round trip); `DurabilityError` when they do not confirm within `timeoutMs`
   * (the write was applied). Default: none.
   */
  durability?: DurabilityOptions;
}

/** The Redis a {@link RedisSession} talks to: a node-redis client / cluster / sentinel, an adapter, a URL or settings. */
export type RedisSessionRedis = RedisInput;

/** Every key of the options; any other is refused with `UnknownOptionError` (`ERR_UNKNOWN_OPTION`). */
export const ACCEPTED = ['sessionId', 'prefix', 'maxItems', 'ttlMs', 'maxItemBytes', 'maxOperationIds', 'onError', 'retry', 'durability'] as const;

/** Options after validation and defaults. */
export interface ResolvedSessionOptions {
  readonly sessionId: string | undefined;
  readonly prefix: string;
  readonly maxItems: number;
  readonly ttlMs: number;
  readonly maxItemBytes: number;
  readonly maxOperationIds: number;
  readonly onError: ((err: Error) => void) | undefined;
  readonly retry: ResolvedRetryPolicy | undefined;
  readonly durability: ResolvedDurability | undefined;
}

/** Validates the options object: known keys only (the shared validator of `@x/redis-adapter`), each of the right type and range. */
export function resolveSessionOptions(options: unknown): ResolvedSessionOptions {
  const o = checkOptions(options as RedisSessionOptions | undefined, 'RedisSession options', { accepted: ACCEPTED });
  return {
    sessionId: o.sessionId === undefined ? undefined : checkId(o.sessionId, 'sessionId'),
    prefix: checkId(o.prefix ?? 'openai-agents', 'prefix'),
    maxItems: checkInteger(o.maxItems, 'maxItems', { min: 0, max: MAX_COUNT }, 0),
    ttlMs: checkInteger(o.ttlMs, 'ttlMs', { min: 0, max: MAX_TTL_MS }, 0),
    maxItemBytes: checkInteger(o.maxItemBytes, 'maxItemBytes', { min: 1, max: MAX_PAYLOAD_BYTES_LIMIT }, 8 * 1024 * 1024),
    maxOperationIds: checkInteger(o.maxOperationIds, 'maxOperationIds', { min: 1, max: MAX_COUNT }, 10_000),
    onError: checkFunction<(err: Error) => void>(o.onError, 'onError'),
    retry: checkRetryPolicy(o.retry),
    durability: checkDurability(o.durability),
  };
}
