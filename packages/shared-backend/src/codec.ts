import { checkJsonValue, describeValue, InvalidArgumentError } from '@x/redis-adapter';

/** Turns slot values into bytes (or text) and back; used by {@link ContextBuffer}. */
export interface SlotCodec<T> {
  /** Encodes a value for storage. Throw `InvalidArgumentError` for values the codec cannot store. */
  encode(value: T): Uint8Array | string;
  /** Decodes stored bytes. */
  decode(bytes: Uint8Array): T;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * JSON text (UTF-8), the default codec: any value that reads back from JSON
 * as written. BigInt, cycles, functions, symbols, `undefined` (also inside
 * arrays), Dates, Maps and class instances are refused with
 * `NotSerializableError` before anything is written (never stored as a
 * placeholder or silently changed).
 */
export const jsonCodec: SlotCodec<unknown> = Object.freeze({
  encode(value: unknown): string {
    checkJsonValue(value, 'value');
    return JSON.stringify(value);
  },
  decode(bytes: Uint8Array): unknown {
    return JSON.parse(decoder.decode(bytes));
  },
});

/** Plain text slots (UTF-8). */
export const textCodec: SlotCodec<string> = Object.freeze({
  encode(value: string): string {
    if (typeof value !== 'string') throw new InvalidArgumentError(`value must be a string, got ${describeValue(value)}`, { argument: 'value' });
    return value;
  },
  decode(bytes: Uint8Array): string {
    return decoder.decode(bytes);
  },
});

/** Raw byte slots, unchanged (decoded slots are `Buffer`s). */
export const bytesCodec: SlotCodec<Uint8Array> = Object.freeze({
  encode(value: Uint8Array): Uint8Array {
    if (!(value instanceof Uint8Array)) {
      throw new InvalidArgumentError(`value must be a Uint8Array, got ${describeValue(value)}`, { argument: 'value' });
    }
    return value;
  },
  decode(bytes: Uint8Array): Uint8Array {
    return bytes;
  },
});
