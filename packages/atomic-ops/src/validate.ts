import { checkId, checkInteger, checkJsonValue, checkNumber, describeValue, InvalidArgumentError, utf8LengthUpTo } from '@x/redis-adapter';
import { MessageTooLargeError } from './errors.js';

/** Largest TTL accepted (10^13 ms, about 317 years): keeps every time value exact inside Lua. */
export const MAX_TTL_MS = 10 ** 13;
/** Largest size / count option accepted (messages kept, operation ids remembered, history kept). */
export const MAX_COUNT = 1_000_000_000;

/** The keys of each options object, for the strict checks (and the shared bad-input suite). */
export const OPTION_KEYS = {
  constructor: [
    'prefix',
    'ttlMs',
    'maxMessages',
    'maxMessageBytes',
    'maxIdBytes',
    'cacheTtlMs',
    'cacheScope',
    'lockTtlMs',
    'maxOperationIds',
    'maxHandoffHistory',
    'onError',
    'retry',
    'durability',
  ],
  append: ['maxMessages', 'ttlMs', 'operationId'],
  recordResponse: [
    'sessionId',
    'queryHash',
    'response',
    'userMessage',
    'assistantMessage',
    'latencyMs',
    'inputTokens',
    'outputTokens',
    'cacheTtlMs',
    'maxMessages',
    'ttlMs',
    'operationId',
  ],
  handoff: ['sessionId', 'fromAgent', 'toAgent', 'context', 'lockTtlMs', 'ttlMs', 'checkCurrentAgent'],
  cache: ['sessionId'],
  read: ['last'],
} as const;

/** A non-negative safe integer no larger than `max`; `undefined` takes `fallback`. */
export function intOption(value: unknown, argument: string, fallback: number, options: { min?: number; max: number }): number {
  return checkInteger(value, argument, { min: options.min ?? 0, max: options.max }, fallback);
}

/** A non-negative finite number; `undefined` takes `fallback`. */
export function nonNegativeNumber(value: unknown, argument: string, fallback: number): number {
  return checkNumber(value, argument, { min: 0 }, fallback);
}

/** An id (non-empty, well-formed string within the byte limit). */
export function assertId(value: unknown, argument: string, maxBytes: number): string {
  return checkId(value, argument, maxBytes);
}

/** An id, or `undefined` when optional and absent. */
export function optionalId(value: unknown, argument: string, maxBytes: number): string | undefined {
  return value === undefined ? undefined : checkId(value, argument, maxBytes);
}

/**
 * Checks that `value` reads back from JSON as written (see `checkJsonValue` of
 * `@x/redis-adapter`: no BigInt, cycles, functions, `undefined`, class
 * instances ...) and is at most `limitBytes` as JSON text; returns the text.
 *
 * @throws NotSerializableError, MessageTooLargeError
 */
export function toBoundedJson(value: unknown, argument: string, limitBytes: number): string {
  checkJsonValue(value, argument, {
    maxBytes: limitBytes,
    tooLarge: (atLeast) => new MessageTooLargeError(argument, atLeast, limitBytes),
  });
  const text = JSON.stringify(value);
  const bytes = utf8LengthUpTo(text, limitBytes);
  if (bytes > limitBytes) throw new MessageTooLargeError(argument, Buffer.byteLength(text, 'utf8'), limitBytes);
  return text;
}

/** Checks one chat message: a plain JSON object with a non-empty string `role`. Returns its JSON text. */
export function messageJson(message: unknown, argument: string, limitBytes: number): string {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    throw new InvalidArgumentError(`${argument} must be an object with a string role, got ${describeValue(message)}`, {
      argument,
    });
  }
  const role = (message as { role?: unknown }).role;
  if (typeof role !== 'string' || role.length === 0) {
    throw new InvalidArgumentError(`${argument}.role must be a non-empty string, got ${describeValue(role)}`, { argument });
  }
  return toBoundedJson(message, argument, limitBytes);
}
