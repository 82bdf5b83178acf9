import { InputTooLargeError, InvalidArgumentError } from '../errors.js';
import { describeValue } from './describe.js';

/** Default byte limit of ids, names and key parts (UTF-8): 1 KiB. */
export const DEFAULT_MAX_ID_BYTES = 1024;

/** Largest id limit a package may configure: 64 KiB (Redis keys can be longer, but nothing is gained). */
export const MAX_ID_BYTES_LIMIT = 65_536;

/**
 * The UTF-8 length of `text`, counting no further than needed to tell that it
 * exceeds `limit` (returns a number above `limit` then, a lower bound).
 * Cheap bounds first: a UTF-16 code unit is 1 to 3 UTF-8 bytes.
 */
export function utf8LengthUpTo(text: string, limit: number): number {
  if (text.length > limit) return text.length; // at least one byte per code unit
  if (text.length * 3 <= limit) return text.length; // a lower bound, and under the limit whatever it is
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Checks an id (thread, session, chain, lock name, queryHash, prefix ...)
 * before anything is sent: a string (numbers are not converted), not empty,
 * well-formed unicode (no lone surrogates), at most `maxBytes` UTF-8 bytes.
 * The length is checked before anything costly, so a 10 MB id is refused in
 * microseconds. Any characters are allowed (`:`, `{`, `*`, NUL, emoji ...):
 * keys encode them. Returns the id.
 *
 * @throws InvalidArgumentError for a wrong type, an empty or ill-formed id
 * @throws InputTooLargeError (`ERR_TOO_LARGE`) over the limit
 */
export function checkId(value: unknown, argument: string, maxBytes: number = DEFAULT_MAX_ID_BYTES): string {
  if (typeof value !== 'string') {
    throw new InvalidArgumentError(`${argument} must be a string, got ${describeValue(value)}`, { argument });
  }
  if (value.length === 0) throw new InvalidArgumentError(`${argument} must not be empty`, { argument });
  const bytes = utf8LengthUpTo(value, maxBytes);
  if (bytes > maxBytes) {
    const shown = value.length > maxBytes ? `at least ${bytes}` : String(bytes);
    throw new InputTooLargeError(`${argument} is ${shown} bytes (UTF-8), over the limit of ${maxBytes} bytes`, {
      argument,
      limitBytes: maxBytes,
      actualBytes: bytes,
    });
  }
  if (!value.isWellFormed()) {
    throw new InvalidArgumentError(`${argument} must be well-formed unicode (no lone surrogates)`, { argument });
  }
  return value;
}

/** An optional id: `undefined` stays `undefined`, anything else goes through {@link checkId}. */
export function checkOptionalId(value: unknown, argument: string, maxBytes?: number): string | undefined {
  return value === undefined ? undefined : checkId(value, argument, maxBytes);
}

/** Checks a byte-limit option such as `maxIdBytes`: an integer from `min` to `max`. */
export function checkLimit(value: unknown, argument: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`${argument} must be an integer from ${min} to ${max}, got ${describeValue(value)}`, {
      argument,
    });
  }
  return value;
}
