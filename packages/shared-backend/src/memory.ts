import { checkOptions, InvalidArgumentError } from '@x/redis-adapter';
import type { Clock } from './clock.js';
import { BackendClosedError, OperationIdConflictError } from './errors.js';
import type { AppendOptions, BackendInfo, SharedBackend, SlotInput } from './types.js';
import {
  appendOperationId,
  assertId,
  assertIndex,
  assertPositiveInt,
  assertTtlMs,
  limitsFrom,
  MAX_OPERATION_IDS_PER_THREAD,
  OPTION_KEYS,
  slotBytes,
  type Limits,
} from './validate.js';

interface ThreadEntry {
  slots: Buffer[];
  /** Operation id -> the slot it appended and its index, oldest first (appends with an operation id). */
  ops?: Map<string, { slot: Buffer; index: number }>;
  /** Alive while now <= expiresAt; Infinity = never expires. */
  expiresAt: number;
}

interface RegistryEntry {
  chain: string;
  expiresAt: number;
}

/** What {@link InMemoryStore.sweep} removed. */
export interface SweepResult {
  threads: number;
  registryEntries: number;
}

/**
 * The state behind one or more {@link InMemoryBackend}s: threads, the registry
 * and the clock they expire by. Backends created with the same store see the
 * same data (a store is one "tenant"); backends with separate stores share nothing.
 */
export class InMemoryStore {
  /** The clock entries expire by. */
  readonly now: Clock;
  /** @internal */
  readonly threads = new Map<string, ThreadEntry>();
  /** @internal */
  readonly byChain = new Map<string, string>();
  /** @internal */
  readonly byUuid = new Map<string, RegistryEntry>();

  constructor(options: { clock?: Clock } = {}) {
    if (options.clock !== undefined && typeof options.clock !== 'function') {
      throw new InvalidArgumentError('clock must be a function returning milliseconds', { argument: 'clock' });
    }
    this.now = options.clock ?? Date.now;
  }

  /** @internal A live thread, or undefined (an expired one is removed on the way). */
  thread(threadId: string, now = this.now()): ThreadEntry | undefined {
    const entry = this.threads.get(threadId);
    if (entry === undefined) return undefined;
    if (now > entry.expiresAt) {
      this.threads.delete(threadId);
      return undefined;
    }
    return entry;
  }

  /** @internal A live registry entry by uuid, or undefined (an expired one is removed both ways). */
  entry(uuid: string, now = this.now()): RegistryEntry | undefined {
    const entry = this.byUuid.get(uuid);
    if (entry === undefined) return undefined;
    if (now > entry.expiresAt) {
      this.removeUuid(uuid);
      return undefined;
    }
    return entry;
  }

  /** @internal Removes a uuid's mapping in both directions; returns the entry it had. */
  removeUuid(uuid: string): RegistryEntry | undefined {
    const entry = this.byUuid.get(uuid);
    if (entry === undefined) return undefined;
    this.byUuid.delete(uuid);
    if (this.byChain.get(entry.chain) === uuid) this.byChain.delete(entry.chain);
    return entry;
  }

  /** Removes every expired thread and registry entry now (expired data is also dropped lazily on access). */
  sweep(): SweepResult {
    const now = this.now();
    let threads = 0;
    let registryEntries = 0;
    for (const [id, entry] of this.threads) {
      if (now > entry.expiresAt) {
        this.threads.delete(id);
        threads++;
      }
    }
    for (const [uuid, entry] of this.byUuid) {
      if (now > entry.expiresAt) {
        this.removeUuid(uuid);
        registryEntries++;
      }
    }
    return { threads, registryEntries };
  }
}

/** Options of {@link InMemoryBackend}. */
export interface InMemoryBackendOptions {
  /** Milliseconds a thread lives after its last append, and a registry entry after its last set. 0 (default) = never expires. */
  ttlMs?: number;
  /** The clock of a new store (default `Date.now`); ignored when `store` is given. */
  clock?: Clock;
  /** Share state with other backends created on the same store (default: a new store). */
  store?: InMemoryStore;
  /** Also sweep expired entries on a timer every this many milliseconds (unref'd; stopped by `close()`). Default: off, expiry is lazy. */
  sweepIntervalMs?: number;
  /** Largest thread id, chain or uuid in UTF-8 bytes (default 1024). */
  maxIdBytes?: number;
  /** Largest slot in bytes (default 1 MiB). */
  maxSlotBytes?: number;
}

/**
 * The single-process default: buffers and registry in this process' memory.
 * TTLs are real: an expired thread or entry is gone for every read (checked
 * lazily on access), and `sweep()` / `sweepIntervalMs` reclaim the memory of
 * entries nobody touches. No dependency on Redis.
 */
export class InMemoryBackend implements SharedBackend {
  /** The store this backend reads and writes. */
  readonly store: InMemoryStore;
  /** The TTL of what this backend writes, in ms (0 = never). */
  readonly ttlMs: number;
  #closed = false;
  #timer: ReturnType<typeof setInterval> | undefined;

  readonly #limits: Limits;

  constructor(options: InMemoryBackendOptions = {}) {
    checkOptions(options, 'InMemoryBackend options', { accepted: OPTION_KEYS.memory });
    this.#limits = limitsFrom(options);
    this.ttlMs = options.ttlMs === undefined ? 0 : assertTtlMs(options.ttlMs);
    if (options.store !== undefined && !(options.store instanceof InMemoryStore)) {
      throw new InvalidArgumentError('store must be an InMemoryStore', { argument: 'store' });
    }
    this.store = options.store ?? new InMemoryStore(options.clock === undefined ? {} : { clock: options.clock });
    if (options.sweepIntervalMs !== undefined) {
      const every = assertPositiveInt(options.sweepIntervalMs, 'sweepIntervalMs');
      this.#timer = setInterval(() => this.store.sweep(), every);
      this.#timer.unref();
    }
  }

  #open(): void {
    if (this.#closed) throw new BackendClosedError(undefined, { object: 'InMemoryBackend' });
  }

  #expiresAt(now: number): number {
    return this.ttlMs > 0 ? now + this.ttlMs : Number.POSITIVE_INFINITY;
  }

  /** Removes expired threads and registry entries now. */
  sweep(): SweepResult {
    this.#open();
    return this.store.sweep();
  }

  async bufferAppend(threadId: string, slot: SlotInput, options?: AppendOptions): Promise<number> {
    assertId(threadId, 'threadId', this.#limits);
    const view = slotBytes(slot, this.#limits);
    const operationId = appendOperationId(options, this.#limits);
    const bytes = typeof slot === 'string' ? view : Buffer.from(view); // a copy: the caller may reuse its buffer
    this.#open();
    const now = this.store.now();
    let entry = this.store.thread(threadId, now);
    const seen = operationId === '' ? undefined : entry?.ops?.get(operationId);
    if (seen !== undefined) {
      if (!seen.slot.equals(bytes)) throw new OperationIdConflictError(threadId, operationId);
      return seen.index;
    }
    if (entry === undefined) {
      entry = { slots: [], expiresAt: 0 };
      this.store.threads.set(threadId, entry);
    }
    entry.slots.push(bytes);
    entry.expiresAt = this.#expiresAt(now);
    const index = entry.slots.length - 1;
    if (operationId !== '') {
      entry.ops ??= new Map();
      entry.ops.set(operationId, { slot: bytes, index });
      if (entry.ops.size > MAX_OPERATION_IDS_PER_THREAD) entry.ops.delete(entry.ops.keys().next().value as string);
    }
    return index;
  }

  async bufferGetThread(threadId: string): Promise<Uint8Array[]> {
    assertId(threadId, 'threadId', this.#limits);
    this.#open();
    return (this.store.thread(threadId)?.slots ?? []).map((s) => Buffer.from(s));
  }

  async bufferGetSlot(threadId: string, index: number): Promise<Uint8Array | null> {
    assertId(threadId, 'threadId', this.#limits);
    assertIndex(index);
    this.#open();
    const slots = this.store.thread(threadId)?.slots;
    if (slots === undefined) return null;
    const at = index < 0 ? slots.length + index : index;
    const slot = at >= 0 ? slots[at] : undefined;
    return slot === undefined ? null : Buffer.from(slot);
  }

  async bufferThreadLength(threadId: string): Promise<number> {
    assertId(threadId, 'threadId', this.#limits);
    this.#open();
    return this.store.thread(threadId)?.slots.length ?? 0;
  }

  async bufferThreadExists(threadId: string): Promise<boolean> {
    assertId(threadId, 'threadId', this.#limits);
    this.#open();
    return this.store.thread(threadId) !== undefined;
  }

  async bufferDeleteThread(threadId: string): Promise<boolean> {
    assertId(threadId, 'threadId', this.#limits);
    this.#open();
    const existed = this.store.thread(threadId) !== undefined;
    this.store.threads.delete(threadId);
    return existed;
  }

  bufferListThreads(): AsyncIterable<string> {
    const store = this.store;
    const open = () => this.#open();
    return {
      async *[Symbol.asyncIterator]() {
        open();
        // Map iteration is live: threads deleted meanwhile are skipped, each key is visited once.
        for (const id of store.threads.keys()) {
          if (store.thread(id) !== undefined) yield id;
        }
      },
    };
  }

  async bufferClear(): Promise<void> {
    this.#open();
    this.store.threads.clear();
  }

  async registrySet(chain: string, uuid: string): Promise<void> {
    assertId(chain, 'chain', this.#limits);
    assertId(uuid, 'uuid', this.#limits);
    this.#open();
    const store = this.store;
    const now = store.now();
    const oldUuid = store.byChain.get(chain);
    if (oldUuid !== undefined && oldUuid !== uuid) store.removeUuid(oldUuid);
    const old = store.byUuid.get(uuid);
    if (old !== undefined && old.chain !== chain) store.removeUuid(uuid);
    store.byChain.set(chain, uuid);
    store.byUuid.set(uuid, { chain, expiresAt: this.#expiresAt(now) });
  }

  async registryGetUuid(chain: string): Promise<string | null> {
    assertId(chain, 'chain', this.#limits);
    this.#open();
    const uuid = this.store.byChain.get(chain);
    if (uuid === undefined) return null;
    return this.store.entry(uuid) === undefined ? null : uuid;
  }

  async registryGetChain(uuid: string): Promise<string | null> {
    assertId(uuid, 'uuid', this.#limits);
    this.#open();
    return this.store.entry(uuid)?.chain ?? null;
  }

  async registryDelete(uuid: string): Promise<boolean> {
    assertId(uuid, 'uuid', this.#limits);
    this.#open();
    const alive = this.store.entry(uuid) !== undefined;
    this.store.removeUuid(uuid);
    return alive;
  }

  registryListAll(): AsyncIterable<[uuid: string, chain: string]> {
    const store = this.store;
    const open = () => this.#open();
    return {
      async *[Symbol.asyncIterator]() {
        open();
        for (const uuid of store.byUuid.keys()) {
          const entry = store.entry(uuid);
          if (entry !== undefined) yield [uuid, entry.chain] as [string, string];
        }
      },
    };
  }

  async registryClear(): Promise<void> {
    this.#open();
    this.store.byChain.clear();
    this.store.byUuid.clear();
  }

  async ping(): Promise<boolean> {
    return !this.#closed;
  }

  async info(): Promise<BackendInfo> {
    this.#open();
    this.store.sweep();
    return { bufferThreads: this.store.threads.size, registryEntries: this.store.byUuid.size, ttlMs: this.ttlMs };
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
