import { InvalidArgumentError, assertId, type RedisInput } from '@x/redis-adapter';
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
}

/** The Redis a {@link RedisChatMessageHistory} talks to: a node-redis client / cluster / sentinel, an adapter, a URL or settings. */
export type RedisChatMessageHistoryRedis = RedisInput;

const ACCEPTED = ['sessionId', 'prefix', 'maxMessages', 'ttlMs', 'maxMessageBytes', 'onError'] as const;

/** Options after validation and defaults. */
export interface ResolvedHistoryOptions {
  readonly sessionId: string;
  readonly prefix: string;
  readonly maxMessages: number;
  readonly ttlMs: number;
  readonly maxMessageBytes: number;
  readonly onError: ((err: Error) => void) | undefined;
}

function int(value: unknown, argument: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`${argument} must be an integer from ${min} to ${max}, got ${String(value)}`, { argument });
  }
  return value;
}

/** Validates the options object: known keys only, each of the right type and range. */
export function resolveHistoryOptions(options: unknown): ResolvedHistoryOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError('options must be an object with a sessionId', { argument: 'options' });
  }
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!(ACCEPTED as readonly string[]).includes(key)) {
      throw new InvalidArgumentError(`unknown option ${JSON.stringify(key)}; accepted: ${ACCEPTED.join(', ')}`, {
        argument: key,
      });
    }
  }
  if (o.onError !== undefined && typeof o.onError !== 'function') {
    throw new InvalidArgumentError('onError must be a function', { argument: 'onError' });
  }
  return {
    sessionId: assertId(o.sessionId, 'sessionId'),
    prefix: assertId(o.prefix ?? 'langchain', 'prefix'),
    maxMessages: int(o.maxMessages, 'maxMessages', 0, 0, MAX_COUNT),
    ttlMs: int(o.ttlMs, 'ttlMs', 0, 0, MAX_TTL_MS),
    maxMessageBytes: int(o.maxMessageBytes, 'maxMessageBytes', 8 * 1024 * 1024, 1, 512 * 1024 * 1024),
    onError: o.onError as ((err: Error) => void) | undefined,
  };
}
