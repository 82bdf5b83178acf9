import { backendOptions } from './context-buffer.js';
import { BackendClosedError } from './errors.js';
import { InMemoryBackend } from './memory.js';
import type { SharedBackend } from './types.js';
import { OPTION_KEYS } from './validate.js';

/** Options of {@link ThreadRegistry}. */
export interface ThreadRegistryOptions {
  /** Where the registry lives. Default: a new {@link InMemoryBackend} (owned: `close()` closes it). */
  backend?: SharedBackend;
}

/**
 * The bidirectional chain <-> thread uuid registry: the class pipeline code uses.
 * A chain maps to one uuid and a uuid to one chain; setting either side again
 * replaces the stale mapping on the other side.
 *
 * ```ts
 * const registry = new ThreadRegistry();
 * await registry.set('chain-a', 'uuid-1');
 * await registry.uuidOf('chain-a'); // 'uuid-1'
 * ```
 */
export class ThreadRegistry {
  /** The backend the registry lives in. */
  readonly backend: SharedBackend;
  readonly #ownsBackend: boolean;
  #closed = false;

  /** @param options - `{ backend }`; a backend passed directly is refused (see {@link ContextBuffer}). */
  constructor(options: ThreadRegistryOptions = {}) {
    options = backendOptions(options, 'ThreadRegistry', OPTION_KEYS.threadRegistry);
    this.#ownsBackend = options.backend === undefined;
    this.backend = options.backend ?? new InMemoryBackend();
  }

  /** Maps chain <-> uuid, replacing stale mappings in both directions. */
  set(chain: string, uuid: string): Promise<void> {
    this.#open();
    return this.backend.registrySet(chain, uuid);
  }

  /** The uuid of a chain, or `null`. */
  uuidOf(chain: string): Promise<string | null> {
    this.#open();
    return this.backend.registryGetUuid(chain);
  }

  /** The chain of a uuid, or `null`. */
  chainOf(uuid: string): Promise<string | null> {
    this.#open();
    return this.backend.registryGetChain(uuid);
  }

  /** Removes a uuid's mapping (both directions); true when it existed. */
  delete(uuid: string): Promise<boolean> {
    this.#open();
    return this.backend.registryDelete(uuid);
  }

  /** Every live `[uuid, chain]` pair. */
  entries(): AsyncIterable<[uuid: string, chain: string]> {
    this.#open();
    return this.backend.registryListAll();
  }

  /** Every live mapping as a `Map` of uuid -> chain. */
  async toMap(): Promise<Map<string, string>> {
    this.#open();
    const out = new Map<string, string>();
    for await (const [uuid, chain] of this.backend.registryListAll()) out.set(uuid, chain);
    return out;
  }

  /** Removes every mapping. */
  clear(): Promise<void> {
    this.#open();
    return this.backend.registryClear();
  }

  /** Closes the backend if this registry created it (a backend you passed stays open). Idempotent; later calls throw `BackendClosedError`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsBackend) await this.backend.close();
  }

  #open(): void {
    if (this.#closed) throw new BackendClosedError(undefined, { object: 'ThreadRegistry' });
  }
}
