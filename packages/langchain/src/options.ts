import {
  InvalidArgumentError,
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

/** Options of {@link RedisChatMessageHistory}. */
export interface RedisChatMessageHistoryOptions {
  /** The conversation's id (required). Any string: it is encoded into the keys, never parsed. */
  sessionId: string;
  /** Key prefix (default `'langchain'`). Histories under different prefixes never see each other. */
  prefix?: string;
  /** Keep only the last `maxMessages` messages (default 0: no limit). Trimmed inside every write. */
  maxMessages?: number;
  /** TTL of every key of the history, refreshed by every write (default 0: no expiry). */
  ttlMs?: number;
  /** Largest stored size of one message in bytes (default 8 MiB). Larger messages are refused before anything is sent. */
  maxMessageBytes?: number;
  /** Receives errors of a connection this history opened from a URL or settings. */
  onError?: (err: Error) => void;
  /**
   * Retry calls that failed with a retryable error (`isRetryable`): `true` for the
   * defaults or a `RetryPolicy`. Only calls that are safe to repeat are retried:
   * `getMessages`, `clear`, and `addMessage(s)` when given an `operationId`.
   * LangChain's own `addMessages(messages)` calls carry none and are never retried.
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

/** The Redis a {@link RedisChatMessageHistory} talks to: a node-redis client / cluster / sentinel, an adapter, a URL or settings. */
export type RedisChatMessageHistoryRedis = RedisInput;

/** Every key of the options; any other is refused with `UnknownOptionError` (`ERR_UNKNOWN_OPTION`). */
export const ACCEPTED = ['sessionId', 'prefix', 'maxMessages', 'ttlMs', 'maxMessageBytes', 'onError', 'retry', 'durability'] as const;

/** Options after validation and defaults. */
export interface ResolvedHistoryOptions {
  readonly sessionId: string;
  readonly prefix: string;
  readonly maxMessages: number;
  readonly ttlMs: number;
  readonly maxMessageBytes: number;
  readonly onError: ((err: Error) => void) | undefined;
  readonly retry: ResolvedRetryPolicy | undefined;
  readonly durability: ResolvedDurability | undefined;
}

/** Validates the options object: known keys only (the shared validator of `@x/redis-adapter`), each of the right type and range. */
export function resolveHistoryOptions(options: unknown): ResolvedHistoryOptions {
  if (options === undefined) {
    throw new InvalidArgumentError('RedisChatMessageHistory(redis, options) needs options with a sessionId', { argument: 'options' });
  }
  const o = checkOptions(options as RedisChatMessageHistoryOptions, 'RedisChatMessageHistory options', { accepted: ACCEPTED });
  return {
    sessionId: checkId(o.sessionId, 'sessionId'),
    prefix: checkId(o.prefix ?? 'langchain', 'prefix'),
    maxMessages: checkInteger(o.maxMessages, 'maxMessages', { min: 0, max: MAX_COUNT }, 0),
    ttlMs: checkInteger(o.ttlMs, 'ttlMs', { min: 0, max: MAX_TTL_MS }, 0),
    maxMessageBytes: checkInteger(o.maxMessageBytes, 'maxMessageBytes', { min: 1, max: MAX_PAYLOAD_BYTES_LIMIT }, 8 * 1024 * 1024),
    onError: checkFunction<(err: Error) => void>(o.onError, 'onError'),
    retry: checkRetryPolicy(o.retry),
    durability: checkDurability(o.durability),
  };
}
