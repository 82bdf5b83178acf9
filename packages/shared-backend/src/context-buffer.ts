import { InvalidArgumentError } from '@x/redis-adapter';
import { jsonCodec, type SlotCodec } from './codec.js';
import { InMemoryBackend } from './memory.js';
import type { SharedBackend } from './types.js';

/** Options of {@link ContextBuffer}. */
export interface ContextBufferOptions<T> {
  /** Where the slots live. Default: a new {@link InMemoryBackend} (owned: `close()` closes it). */
  backend?: SharedBackend;
  /** How values become slots. Default: {@link jsonCodec}. */
  codec?: SlotCodec<T>;
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

  constructor(options: ContextBufferOptions<T> = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidArgumentError('options must be an object', { argument: 'options' });
    }
    this.#ownsBackend = options.backend === undefined;
    this.backend = options.backend ?? new InMemoryBackend();
    this.codec = options.codec ?? (jsonCodec as SlotCodec<T>);
    if (typeof this.codec.encode !== 'function' || typeof this.codec.decode !== 'function') {
      throw new InvalidArgumentError('codec needs encode and decode functions', { argument: 'codec' });
    }
  }

  /** Appends a value to a thread; resolves to its 0-based index. */
  async append(threadId: string, value: T): Promise<number> {
    return this.backend.bufferAppend(threadId, this.codec.encode(value));
  }

  /** Every value of a thread, in order (`[]` when unknown or expired). */
  async get(threadId: string): Promise<T[]> {
    return (await this.backend.bufferGetThread(threadId)).map((bytes) => this.codec.decode(bytes));
  }

  /** One value by index (negative from the end), or `undefined` when out of range. */
  async at(threadId: string, index: number): Promise<T | undefined> {
    const bytes = await this.backend.bufferGetSlot(threadId, index);
    return bytes === null ? undefined : this.codec.decode(bytes);
  }

  /** Number of values in a thread. */
  length(threadId: string): Promise<number> {
    return this.backend.bufferThreadLength(threadId);
  }

  /** True when the thread exists (and has not expired). */
  has(threadId: string): Promise<boolean> {
    return this.backend.bufferThreadExists(threadId);
  }

  /** Deletes a thread; true when it existed. */
  delete(threadId: string): Promise<boolean> {
    return this.backend.bufferDeleteThread(threadId);
  }

  /** The ids of every live thread. */
  threads(): AsyncIterable<string> {
    return this.backend.bufferListThreads();
  }

  /** Deletes every thread. */
  clear(): Promise<void> {
    return this.backend.bufferClear();
  }

  /** Closes the backend if this buffer created it (a backend you passed stays open). */
  async close(): Promise<void> {
    if (this.#ownsBackend) await this.backend.close();
  }
}
