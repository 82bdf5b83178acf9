import { lock as scripts } from '@x/lua-scripts';
import { InvalidArgumentError, type RedisArg, type RedisInput } from '@x/redis-adapter';
import { adapterFor } from './adapter.js';
import { MAX_TTL_MS } from './options.js';

/** The hash field a fenced resource records its highest fencing token in, by default. */
export const DEFAULT_TOKEN_FIELD = '_fence';

/** Options of {@link fencedWrite}. */
export interface FencedWriteOptions {
  /** TTL to set on the resource after a write, in milliseconds (default: keep its expiry). */
  ttlMs?: number;
  /** The hash field that records the highest fencing token (default `'_fence'`). */
  tokenField?: string;
}

/** What {@link fencedWrite} did. */
export interface FencedWriteResult {
  /** True when the fields were written; false when a holder with a larger token wrote first. */
  readonly written: boolean;
  /** The highest fencing token recorded for the resource after the call. */
  readonly highestToken: number;
}

/**
 * Writes `fields` into the Redis hash `key` only if `fencingToken` is at least
 * the highest token that wrote it before, and records the token, in one script
 * call. A holder that lost its lock (paused past its lease) and comes back with
 * an old token is refused instead of overwriting newer data.
 *
 * `key` is your resource's key; it needs no relation to the lock's keys.
 */
export async function fencedWrite(
  redis: RedisInput,
  key: string,
  fencingToken: number,
  fields: Readonly<Record<string, RedisArg>>,
  options: FencedWriteOptions = {},
): Promise<FencedWriteResult> {
  if (typeof key !== 'string' || key.length === 0) {
    throw new InvalidArgumentError('key must be a non-empty string', { argument: 'key' });
  }
  if (!Number.isSafeInteger(fencingToken) || fencingToken < 0) {
    throw new InvalidArgumentError(`fencingToken must be a non-negative safe integer, got ${String(fencingToken)}`, {
      argument: 'fencingToken',
    });
  }
  if (typeof fields !== 'object' || fields === null) {
    throw new InvalidArgumentError('fields must be an object of field -> value', { argument: 'fields' });
  }
  const tokenField = options.tokenField ?? DEFAULT_TOKEN_FIELD;
  if (typeof tokenField !== 'string' || tokenField.length === 0) {
    throw new InvalidArgumentError('tokenField must be a non-empty string', { argument: 'tokenField' });
  }
  const ttlMs = options.ttlMs ?? 0;
  if (!Number.isInteger(ttlMs) || ttlMs < 0 || ttlMs > MAX_TTL_MS) {
    throw new InvalidArgumentError(`ttlMs must be a non-negative integer, got ${String(ttlMs)}`, { argument: 'ttlMs' });
  }
  const pairs: RedisArg[] = [];
  for (const [field, value] of Object.entries(fields)) {
    if (field === tokenField) {
      throw new InvalidArgumentError(`field "${field}" is reserved for the fencing token`, { argument: 'fields' });
    }
    pairs.push(field, value);
  }
  const { adapter, owned } = adapterFor(redis);
  try {
    const reply = await adapter.runScript<[number, number]>(scripts.fencedWrite, {
      keys: [key],
      args: [tokenField, fencingToken, ttlMs, ...pairs],
    });
    return { written: Number(reply[0]) === 1, highestToken: Number(reply[1]) };
  } finally {
    if (owned) await adapter.close().catch(() => undefined);
  }
}
