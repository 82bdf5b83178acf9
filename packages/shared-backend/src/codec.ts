import { InvalidArgumentError } from '@x/redis-adapter';

/** Turns slot values into bytes (or text) and back; used by {@link ContextBuffer}. */
export interface SlotCodec<T> {
  /** Encodes a value for storage. Throw `InvalidArgumentError` for values the codec cannot store. */
  encode(value: T): Uint8Array | string;
  /** Decodes stored bytes. */
  decode(bytes: Uint8Array): T;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * JSON text (UTF-8), the default codec: any JSON-serialisable value. `undefined`,
 * functions and symbols (which JSON cannot hold) are rejected before anything is written.
 */
export const jsonCodec: SlotCodec<unknown> = Object.freeze({
  encode(value: unknown): string {
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (err) {
      throw new InvalidArgumentError(`value is not JSON-serialisable: ${(err as Error).message}`, {
        argument: 'value',
        cause: err,
      });
    }
    if (text === undefined) {
      throw new InvalidArgumentError(`value is not JSON-serialisable (${typeof value})`, { argument: 'value' });
    }
    return text;
  },
  decode(bytes: Uint8Array): unknown {
    return JSON.parse(decoder.decode(bytes));
  },
});

/** Plain text slots (UTF-8). */
export const textCodec: SlotCodec<string> = Object.freeze({
  encode(value: string): string {
    if (typeof value !== 'string') throw new InvalidArgumentError(`value must be a string, got ${typeof value}`, { argument: 'value' });
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
      throw new InvalidArgumentError(`value must be a Uint8Array, got ${typeof value}`, { argument: 'value' });
    }
    return value;
  },
  decode(bytes: Uint8Array): Uint8Array {
    return bytes;
  },
});
