/** What {@link SharedBackend.info} reports. */
export interface BackendInfo {
  /** Live (unexpired) threads with a context buffer. */
  bufferThreads: number;
  /** Live (unexpired) chain <-> uuid mappings in the registry. */
  registryEntries: number;
  /** The TTL this backend gives what it writes, in milliseconds; 0 = never expires. */
  ttlMs: number;
}

/** A slot value as accepted by {@link SharedBackend.bufferAppend}: bytes, or text stored as UTF-8. */
export type SlotInput = Uint8Array | string;

/** Options of {@link SharedBackend.bufferAppend}. */
export interface AppendOptions {
  /**
   * An idempotency key: the append is applied at most once per thread and id.
   * A retry with the same id and the same slot writes nothing and resolves to
   * the index of the first append; the same id with another slot rejects with
   * `OperationIdConflictError`. A thread remembers its last 1 000 ids (they go
   * with the thread: deleted with it, expiring with it).
   */
  operationId?: string;
}

/**
 * The protocol every backend implements: per-thread context buffers (append-only
 * lists of opaque byte slots) and a bidirectional chain <-> uuid registry.
 *
 * Implementations: {@link InMemoryBackend} (one process), {@link ProcessSharedBackend}
 * (local processes sharing a {@link SharedBackendHost}), {@link RedisBackend}
 * (distributed). All of them pass the conformance suite in
 * `@x/shared-backend/testing`.
 *
 * Every method validates its input before anything happens and rejects bad input
 * with `InvalidArgumentError`; after {@link SharedBackend.close} every method but
 * `ping` and `close` rejects with `BackendClosedError`.
 */
export interface SharedBackend {
  /**
   * Appends a slot to a thread (creating it) and refreshes the thread's TTL.
   * Resolves to the new slot's 0-based index. Pass an `operationId` to make the
   * append safe to retry after an error that left its outcome unknown.
   */
  bufferAppend(threadId: string, slot: SlotInput, options?: AppendOptions): Promise<number>;
  /** Every slot of a thread, in order; `[]` for an unknown or expired thread. Slots are returned as `Buffer`s. */
  bufferGetThread(threadId: string): Promise<Uint8Array[]>;
  /** One slot by index (negative counts from the end: -1 is the last), or `null` when out of range. */
  bufferGetSlot(threadId: string, index: number): Promise<Uint8Array | null>;
  /** How many slots a thread has (0 when unknown or expired). */
  bufferThreadLength(threadId: string): Promise<number>;
  /** True when the thread has at least one slot and has not expired. */
  bufferThreadExists(threadId: string): Promise<boolean>;
  /** Deletes a thread's buffer. True when it existed. */
  bufferDeleteThread(threadId: string): Promise<boolean>;
  /** The ids (not keys) of every live thread, each once. Complete on a Redis Cluster. */
  bufferListThreads(): AsyncIterable<string>;
  /** Deletes every thread of this backend (of its prefix on Redis). */
  bufferClear(): Promise<void>;
  /** Maps `chain` <-> `uuid`, replacing stale mappings in both directions atomically. */
  registrySet(chain: string, uuid: string): Promise<void>;
  /** The uuid `chain` maps to, or `null`. */
  registryGetUuid(chain: string): Promise<string | null>;
  /** The chain `uuid` maps to, or `null`. */
  registryGetChain(uuid: string): Promise<string | null>;
  /** Removes the mapping of `uuid` in both directions. True when it existed. */
  registryDelete(uuid: string): Promise<boolean>;
  /** Every live `[uuid, chain]` pair, each once. */
  registryListAll(): AsyncIterable<[uuid: string, chain: string]>;
  /** Removes every registry entry of this backend (of its prefix on Redis). */
  registryClear(): Promise<void>;
  /** True when the backend answers; never throws (false when closed or unreachable). */
  ping(): Promise<boolean>;
  /** Counts of live threads and registry entries, and the configured TTL. */
  info(): Promise<BackendInfo>;
  /** Releases what the backend owns. Idempotent. */
  close(): Promise<void>;
}
