import {
  checkId,
  checkInteger,
  checkOptions,
  checkPayloadSize,
  DEFAULT_MAX_ID_BYTES,
  DEFAULT_MAX_PAYLOAD_BYTES,
  describeValue,
  InvalidArgumentError,
  MAX_ID_BYTES_LIMIT,
  MAX_PAYLOAD_BYTES_LIMIT,
} from '@x/redis-adapter';

/** Default byte limit of one buffer slot: 1 MiB. */
export const DEFAULT_MAX_SLOT_BYTES = DEFAULT_MAX_PAYLOAD_BYTES;

/** The limits every backend applies before anything is written. */
export interface Limits {
  readonly maxIdBytes: number;
  readonly maxSlotBytes: number;
}

/** The default limits. */
export const DEFAULT_LIMITS: Limits = Object.freeze({ maxIdBytes: DEFAULT_MAX_ID_BYTES, maxSlotBytes: DEFAULT_MAX_SLOT_BYTES });

/** Reads `maxIdBytes` and `maxSlotBytes` from an options object. */
export function limitsFrom(o: { maxIdBytes?: unknown; maxSlotBytes?: unknown }): Limits {
  if (o.maxIdBytes === undefined && o.maxSlotBytes === undefined) return DEFAULT_LIMITS;
  return {
    maxIdBytes: checkInteger(o.maxIdBytes, 'maxIdBytes', { min: 1, max: MAX_ID_BYTES_LIMIT }, DEFAULT_MAX_ID_BYTES),
    maxSlotBytes: checkInteger(o.maxSlotBytes, 'maxSlotBytes', { min: 1, max: MAX_PAYLOAD_BYTES_LIMIT }, DEFAULT_MAX_SLOT_BYTES),
  };
}

/** An id within the limit (a string, not empty, well-formed). */
export function assertId(value: unknown, argument: string, limits: Limits = DEFAULT_LIMITS): string {
  return checkId(value, argument, limits.maxIdBytes);
}

/** How many operation ids a thread remembers (older ones are forgotten, oldest first). */
export const MAX_OPERATION_IDS_PER_THREAD = 1000;

/** Checks the options of an append; returns the operation id ('' for none). */
export function appendOperationId(options: unknown, limits: Limits = DEFAULT_LIMITS): string {
  if (options === undefined) return '';
  const o = checkOptions(options as { operationId?: unknown }, 'append options', { accepted: OPTION_KEYS.append });
  return o.operationId === undefined ? '' : checkId(o.operationId, 'operationId', limits.maxIdBytes);
}

/** Longest TTL accepted: ten years, so expiry times stay exact integers everywhere. */
export const MAX_TTL_MS = 10 * 365 * 24 * 3600 * 1000;

/**
 * Checks a slot (type, size within `maxSlotBytes`) and returns it as it is sent: text as it is
 * (clients write it as UTF-8, the bytes {@link slotBytes} gives), bytes as a `Buffer` view.
 * Text stays text so no copy is made (on ioredis a `Buffer` argument also makes the whole
 * command one copied `Buffer`).
 */
export function checkSlot(slot: unknown, limits: Limits = DEFAULT_LIMITS): string | Buffer {
  if (typeof slot === 'string') {
    checkPayloadSize(slot, 'slot', limits.maxSlotBytes, 'maxSlotBytes');
    if (!slot.isWellFormed()) {
      throw new InvalidArgumentError('slot text must be well-formed unicode (no lone surrogates)', { argument: 'slot' });
    }
    return slot;
  }
  if (slot instanceof Uint8Array) {
    checkPayloadSize(slot, 'slot', limits.maxSlotBytes, 'maxSlotBytes');
    return Buffer.from(slot.buffer, slot.byteOffset, slot.byteLength);
  }
  throw new InvalidArgumentError(`slot must be a Uint8Array or a string, got ${describeValue(slot)}`, { argument: 'slot' });
}

/** Checks a slot like {@link checkSlot} and returns its bytes (text as UTF-8). */
export function slotBytes(slot: unknown, limits: Limits = DEFAULT_LIMITS): Buffer {
  const checked = checkSlot(slot, limits);
  return typeof checked === 'string' ? Buffer.from(checked, 'utf8') : checked;
}

/** Checks a slot index: a safe integer, negative counting from the end. */
export function assertIndex(index: unknown): number {
  if (typeof index !== 'number' || !Number.isSafeInteger(index)) {
    throw new InvalidArgumentError(`index must be a safe integer, got ${describeValue(index)}`, {
      argument: 'index',
    });
  }
  return index;
}

/** Checks a `ttlMs` option: an integer from 0 (never expires) to ten years. */
export function assertTtlMs(ttlMs: unknown): number {
  if (typeof ttlMs !== 'number' || !Number.isSafeInteger(ttlMs) || ttlMs < 0 || ttlMs > MAX_TTL_MS) {
    throw new InvalidArgumentError(`ttlMs must be an integer from 0 (no expiry) to ${MAX_TTL_MS}, got ${describeValue(ttlMs)}`, {
      argument: 'ttlMs',
    });
  }
  return ttlMs;
}

/** Checks a positive integer option. */
export function assertPositiveInt(value: unknown, argument: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0 || value > max) {
    throw new InvalidArgumentError(`${argument} must be an integer from 1 to ${max}, got ${describeValue(value)}`, { argument });
  }
  return value;
}

/** The option keys of each class, for the strict checks. */
export const OPTION_KEYS = {
  redisBackend: ['prefix', 'ttlMs', 'indexBuckets', 'scanCount', 'onError', 'maxIdBytes', 'maxSlotBytes', 'retry', 'durability'],
  memory: ['ttlMs', 'clock', 'store', 'sweepIntervalMs', 'maxIdBytes', 'maxSlotBytes'],
  contextBuffer: ['backend', 'codec', 'maxValueBytes'],
  append: ['operationId'],
  threadRegistry: ['backend'],
  processClient: ['socketPath', 'token', 'connectTimeoutMs', 'maxFrameBytes', 'listBatchSize', 'maxIdBytes', 'maxSlotBytes'],
  host: ['backend', 'ttlMs', 'socketPath', 'token', 'closeBackend', 'maxFrameBytes', 'handshakeTimeoutMs', 'maxOpenListings'],
} as const;
