import { InvalidArgumentError, assertId, type RedisInput } from '@x/redis-adapter';
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
}

/** The Redis a {@link RedisSession} talks to: a node-redis client / cluster / sentinel, an adapter, a URL or settings. */
export type RedisSessionRedis = RedisInput;

const ACCEPTED = ['sessionId', 'prefix', 'maxItems', 'ttlMs', 'maxItemBytes', 'maxOperationIds', 'onError'] as const;

/** Options after validation and defaults. */
export interface ResolvedSessionOptions {
  readonly sessionId: string | undefined;
  readonly prefix: string;
  readonly maxItems: number;
  readonly ttlMs: number;
  readonly maxItemBytes: number;
  readonly maxOperationIds: number;
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
export function resolveSessionOptions(options: unknown): ResolvedSessionOptions {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError('options must be an object', { argument: 'options' });
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
    sessionId: o.sessionId === undefined ? undefined : assertId(o.sessionId, 'sessionId'),
    prefix: assertId(o.prefix ?? 'openai-agents', 'prefix'),
    maxItems: int(o.maxItems, 'maxItems', 0, 0, MAX_COUNT),
    ttlMs: int(o.ttlMs, 'ttlMs', 0, 0, MAX_TTL_MS),
    maxItemBytes: int(o.maxItemBytes, 'maxItemBytes', 8 * 1024 * 1024, 1, 512 * 1024 * 1024),
    maxOperationIds: int(o.maxOperationIds, 'maxOperationIds', 10_000, 1, MAX_COUNT),
    onError: o.onError as ((err: Error) => void) | undefined,
  };
}
