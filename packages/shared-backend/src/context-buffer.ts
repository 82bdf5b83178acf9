import { checkInteger, checkJsonValue, checkOptions, checkPayloadSize, InvalidArgumentError, MAX_PAYLOAD_BYTES_LIMIT } from '@x/redis-adapter';
import { jsonCodec, type SlotCodec } from './codec.js';
import { BackendClosedError } from './errors.js';
import { InMemoryBackend } from './memory.js';
import type { AppendOptions, SharedBackend } from './types.js';
import { OPTION_KEYS } from './validate.js';

/** True for anything that implements the backend protocol (checked by its most used method). */
export function looksLikeBackend(value: unknown): value is SharedBackend {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as SharedBackend).bufferAppend === 'function' &&
    typeof (value as SharedBackend).registrySet === 'function'
  );
}

/** Checks the options of a class that takes `{ backend }`, refusing a backend passed in the options' place. */
export function backendOptions<T extends object>(options: T | undefined, cls: string, accepted: readonly string[]): Partial<T> {
  if (looksLikeBackend(options)) {
    throw new InvalidArgumentError(
      `${cls} takes options, not a backend: write new ${cls}({ backend }) (without it the ${cls} would live in this process' memory)`,
      { argument: 'options' },
    );
  }
  const o = checkOptions(options, `${cls} options`, { accepted }) as Partial<T> & { backend?: unknown };
  if (o.backend !== undefined && !looksLikeBackend(o.backend)) {
    throw new InvalidArgumentError(`${cls} options.backend must implement SharedBackend (e.g. a RedisBackend)`, { argument: 'backend' });
  }
  return o;
}

/** Options of {@link ContextBuffer}. */
export interface ContextBufferOptions<T> {
  /** Where the slots live. Default: a new {@link InMemoryBackend} (owned: `close()` closes it). */
  backend?: SharedBackend;
  /** How values become slots. Default: {@link jsonCodec}. */
  codec?: SlotCodec<T>;
  /**
   * Largest encoded value in bytes (default 1 MiB). With the JSON codec a
   * larger value is refused while it is checked, before it is encoded.
   */
  maxValueBytes?: number;
}

/**
 * Per-thread context buffers of typed values: the class pipeline code uses.
 * Values are encoded by the codec (JSON by default) into slots of the backend.
 *
 * ```ts
 * const buffer = new ContextBuffer<{ role: string; text: string }>();
 * await buffer.append('thread-1', { role: 'user', text: 'hi' }); // 0
 * await buffer.get('thread-1'); // [{ role: 'user', text: 'hi' }]
 * ```
 */
export class ContextBuffer<T = unknown> {
  /** The backend the slots live in. */
  readonly backend: SharedBackend;
  /** The codec values go through. */
  readonly codec: SlotCodec<T>;
  readonly #ownsBackend: boolean;
  readonly #maxValueBytes: number;
  #closed = false;

  /**
   * @param options - `{ backend, codec }`. Passing a backend directly
   *   (`new ContextBuffer(backend)`) is refused: it would otherwise be read as
   *   options and the buffer would quietly live in memory.
   */
  constructor(options: ContextBufferOptions<T> = {}) {
    options = backendOptions(options, 'ContextBuffer', OPTION_KEYS.contextBuffer);
    this.#maxValueBytes = checkInteger(options.maxValueBytes, 'maxValueBytes', { min: 1, max: MAX_PAYLOAD_BYTES_LIMIT }, 1_048_576);
    this.#ownsBackend = options.backend === undefined;
    this.backend = options.backend ?? new InMemoryBackend();
    this.codec = options.codec ?? (jsonCodec as SlotCodec<T>);
    if (typeof this.codec.encode !== 'function' || typeof this.codec.decode !== 'function') {
      throw new InvalidArgumentError('codec needs encode and decode functions', { argument: 'codec' });
    }
  }

  /**
   * Appends a value to a thread; resolves to its 0-based index. With an
   * `operationId` the append is applied at most once: after an error that left
   * the outcome unknown (a lost connection, a timeout), retry with the same id
   * and the same value; the retry resolves to the first append's index. The
   * same id with another value rejects with `OperationIdConflictError`.
   */
  async append(threadId: string, value: T, options?: AppendOptions): Promise<number> {
    this.#open();
    const limit = this.#maxValueBytes;
    if (this.codec === (jsonCodec as SlotCodec<unknown>)) {
      checkJsonValue(value, 'value', { maxBytes: limit, limitName: 'maxValueBytes' });
    }
    const slot = checkPayloadSize(this.codec.encode(value), 'value', limit, 'maxValueBytes');
    return options === undefined ? this.backend.bufferAppend(threadId, slot) : this.backend.bufferAppend(threadId, slot, options);
  }

  #open(): void {
    if (this.#closed) throw new BackendClosedError(undefined, { object: 'ContextBuffer' });
  }

  /** Every value of a thread, in order (`[]` when unknown or expired). */
  async get(threadId: string): Promise<T[]> {
    this.#open();
    return (await this.backend.bufferGetThread(threadId)).map((bytes) => this.codec.decode(bytes));
  }

  /** One value by index (negative from the end), or `undefined` when out of range. */
  async at(threadId: string, index: number): Promise<T | undefined> {
    this.#open();
    const bytes = await this.backend.bufferGetSlot(threadId, index);
    return bytes === null ? undefined : this.codec.decode(bytes);
  }

  /** Number of values in a thread. */
  length(threadId: string): Promise<number> {
    this.#open();
    return this.backend.bufferThreadLength(threadId);
  }

  /** True when the thread exists (and has not expired). */
  has(threadId: string): Promise<boolean> {
    this.#open();
    return this.backend.bufferThreadExists(threadId);
  }

  /** Deletes a thread; true when it existed. */
  delete(threadId: string): Promise<boolean> {
    this.#open();
    return this.backend.bufferDeleteThread(threadId);
  }

  /** The ids of every live thread. */
  threads(): AsyncIterable<string> {
    this.#open();
    return this.backend.bufferListThreads();
  }

  /** Deletes every thread. */
  clear(): Promise<void> {
    this.#open();
    return this.backend.bufferClear();
  }

  /**
   * Closes the backend if this buffer created it (a backend you passed stays
   * open). Idempotent; every other method then throws `BackendClosedError`
   * naming the ContextBuffer, even when the backend is still open.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsBackend) await this.backend.close();
  }
}
