import { assertId, InvalidArgumentError } from '@x/redis-adapter';
import type { SlotInput } from './types.js';

export { assertId };

/** Longest TTL accepted: ten years, so expiry times stay exact integers everywhere. */
export const MAX_TTL_MS = 10 * 365 * 24 * 3600 * 1000;

/** Checks a slot and returns its bytes (text is stored as UTF-8). */
export function slotBytes(slot: unknown): Buffer {
  if (typeof slot === 'string') {
    if (!slot.isWellFormed()) {
      throw new InvalidArgumentError('slot text must be well-formed unicode (no lone surrogates)', { argument: 'slot' });
    }
    return Buffer.from(slot, 'utf8');
  }
  if (slot instanceof Uint8Array) return Buffer.from(slot.buffer, slot.byteOffset, slot.byteLength);
  throw new InvalidArgumentError(
    `slot must be a Uint8Array or a string, got ${slot === null ? 'null' : Array.isArray(slot) ? 'array' : typeof slot}`,
    { argument: 'slot' },
  );
}

/** Checks a slot index: a safe integer, negative counting from the end. */
export function assertIndex(index: unknown): number {
  if (typeof index !== 'number' || !Number.isSafeInteger(index)) {
    throw new InvalidArgumentError(`index must be a safe integer, got ${typeof index === 'number' ? index : typeof index}`, {
      argument: 'index',
    });
  }
  return index;
}

/** Checks a `ttlMs` option: an integer from 0 (never expires) to ten years. */
export function assertTtlMs(ttlMs: unknown): number {
  if (typeof ttlMs !== 'number' || !Number.isSafeInteger(ttlMs) || ttlMs < 0 || ttlMs > MAX_TTL_MS) {
    throw new InvalidArgumentError(`ttlMs must be an integer from 0 (no expiry) to ${MAX_TTL_MS}, got ${String(ttlMs)}`, {
      argument: 'ttlMs',
    });
  }
  return ttlMs;
}

/** Checks a positive integer option. */
export function assertPositiveInt(value: unknown, argument: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0 || value > max) {
    throw new InvalidArgumentError(`${argument} must be an integer from 1 to ${max}, got ${String(value)}`, { argument });
  }
  return value;
}
