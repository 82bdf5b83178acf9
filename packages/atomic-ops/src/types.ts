import type { DurabilityOptions, RedisTarget, RetryPolicy } from '@x/redis-adapter';

/**
 * A chat message: any plain JSON object with a non-empty string `role`.
 * It is stored as its JSON text and reads back exactly as written.
 */
export interface Message {
  role: string;
  [field: string]: unknown;
}

/** Where `recordResponse` caches responses and `getCachedResponse` looks them up. */
export type CacheScope = 'global' | 'session';

/** Options of the {@link AtomicOperations} constructor. */
export interface AtomicOperationsOptions {
  /** Key prefix; every key lives under it (default `agents`). May contain `:`; anything odd is encoded. */
  prefix?: string;
  /** Default TTL of a session's keys, refreshed on every write (default 24 h; 0 = no expiry). */
  ttlMs?: number;
  /** Default sliding window: messages kept per session (default 1000; 0 = no limit). */
  maxMessages?: number;
  /** Largest JSON size of one message, response or handoff context, in UTF-8 bytes (default 1 MiB). */
  maxMessageBytes?: number;
  /**
   * Largest id in UTF-8 bytes: session ids, query hashes, operation ids, agent
   * names, tokens and the prefix (default 1024, at most 65 536). Longer ids are
   * refused with `InputTooLargeError` before anything is sent.
   */
  maxIdBytes?: number;
  /** Default TTL of a response cache entry (default 1 h; 0 = no expiry of its own). */
  cacheTtlMs?: number;
  /**
   * `global` (default): one cache entry per query hash, shared by every session, in the
   * query hash's own slot. `session`: entries live under the session's hash tag, so
   * `recordResponse` is one atomic call on a cluster too, and `getCachedResponse` needs the
   * `sessionId`.
   */
  cacheScope?: CacheScope;
  /** Default lifetime of a handoff lock unless released (default 30 s). */
  lockTtlMs?: number;
  /** How many operation ids a session remembers for idempotent retries (default 10 000). */
  maxOperationIds?: number;
  /** Handoff history entries kept per session (default 100; 0 = no limit). */
  maxHandoffHistory?: number;
  /** Receives errors of a connection this instance created from a URL or settings. */
  onError?: (err: Error) => void;
  /**
   * Retry calls that failed with a retryable error (`isRetryable`: connection
   * loss, timeouts, `LOADING`, failover states): `true` for the defaults or a
   * `RetryPolicy` (`{ attempts, baseDelayMs, maxDelayMs, deadlineMs }`). Only
   * calls that are safe to repeat are retried: reads, deletes, and writes that
   * carry an `operationId`. A write without one is never retried (it may have
   * been applied before its reply was lost). Default: no retries.
   */
  retry?: boolean | RetryPolicy;
  /**
   * Confirm every write on `replicas` replicas before it resolves: `WAIT` (and
   * `WAITAOF` with `aof: true`) pipelined behind the write script, in the same
   * round trip. When they do not confirm within `timeoutMs` (default 1000) the
   * call rejects with `DurabilityError`: the write was applied on the master and
   * may be lost in a failover. Default: none (Redis replicates asynchronously).
   */
  durability?: DurabilityOptions;
}

/** The Redis an {@link AtomicOperations} talks to: the one connection target, `RedisTarget` of `@x/redis-adapter`. */
export type AtomicOperationsRedis = RedisTarget;

/** Options of `appendMessage` / `appendMessages`. */
export interface AppendOptions {
  /** Keep only the last `maxMessages` messages (0 = no limit). Default: the instance's. */
  maxMessages?: number;
  /** TTL set on every key of the session (0 = no expiry). Default: the instance's. */
  ttlMs?: number;
  /** Idempotency key: a retry with the same id writes nothing and returns the original count. */
  operationId?: string;
}

/** Input of `recordResponse`. */
export interface RecordResponseInput {
  sessionId: string;
  /** The cache key of the query (your hash of prompt + model + parameters). */
  queryHash: string;
  /** The response to cache: any JSON value. */
  response: unknown;
  /** The user message to append before the assistant message (optional). */
  userMessage?: Message;
  /** The assistant message to append. */
  assistantMessage: Message;
  /** Latency of the model call in ms, added to the session's total (default 0). */
  latencyMs?: number;
  /** Input tokens, added to the session's total (default 0). */
  inputTokens?: number;
  /** Output tokens, added to the session's total (default 0). */
  outputTokens?: number;
  /** TTL of the cache entry (0 = no expiry of its own). Default: the instance's. */
  cacheTtlMs?: number;
  /** Keep only the last `maxMessages` messages (0 = no limit). Default: the instance's. */
  maxMessages?: number;
  /** TTL set on every key of the session (0 = no expiry). Default: the instance's. */
  ttlMs?: number;
  /**
   * Idempotency key: a retry with the same id writes the session part once and returns the
   * original result. The id is tied to the response and both messages (the same id with other
   * ones is `OperationIdConflictError`), not to tokens or latency: a replay with other figures
   * is the same record, and the first call's figures stand.
   */
  operationId?: string;
}

/** What `recordResponse` returns. */
export interface RecordResponseResult {
  /** The session's message count after the record (the original count on a retry). */
  messageCount: number;
}

/** A cache hit. */
export interface CachedResponse<T = unknown> {
  /** The cached response, as recorded. */
  response: T;
  /** Hits of this entry, this one included. */
  hits: number;
  /** When the entry was written (server time, ms since the epoch). */
  cachedAt: number;
  /** Remaining lifetime of the entry in ms, or `null` when it has none of its own. */
  ttlMs: number | null;
}

/** Options of `getCachedResponse`. */
export interface GetCachedResponseOptions {
  /** The session whose cache to read; required when the instance's `cacheScope` is `session`. */
  sessionId?: string;
}

/** Input of `handoff`. */
export interface HandoffInput {
  sessionId: string;
  /** The agent handing the session over (must be the current agent unless `checkCurrentAgent` is false). */
  fromAgent: string;
  /** The agent taking it over. */
  toAgent: string;
  /** Context handed over: any JSON value (default `null`). */
  context?: unknown;
  /** Lifetime of the handoff lock unless released. Default: the instance's. */
  lockTtlMs?: number;
  /** TTL set on every key of the session (0 = no expiry). Default: the instance's. */
  ttlMs?: number;
  /**
   * Require `fromAgent` to be the current agent (default true). A session no agent
   * holds yet accepts any `fromAgent`.
   */
  checkCurrentAgent?: boolean;
}

/** What `handoff` returns. */
export interface HandoffResult {
  /** The lock token: pass it to `releaseHandoffLock`. */
  token: string;
  /** The session's handoff count after this one. */
  handoffCount: number;
  /** When the handoff happened (server time, ms since the epoch). */
  at: number;
}

/** One entry of a session's handoff history. */
export interface HandoffEntry<C = unknown> {
  /** Server time, ms since the epoch. */
  at: number;
  from: string;
  to: string;
  context: C;
}

/** Options of `getMessages`. */
export interface GetMessagesOptions {
  /** Only the last `last` messages (default: all that are kept). */
  last?: number;
}

/** A session's summary, from `getSession`. */
export interface SessionInfo {
  sessionId: string;
  /** Messages ever appended (grows past the window). */
  messageCount: number;
  /** Messages currently kept (at most `maxMessages`). */
  storedMessages: number;
  /** The agent holding the session, or `null` before the first handoff. */
  currentAgent: string | null;
  /** Every agent that held the session, sorted. */
  agentsUsed: string[];
  /** Responses recorded. */
  responses: number;
  inputTokens: number;
  outputTokens: number;
  /** Sum of the recorded latencies in ms. */
  totalLatencyMs: number;
  /** Handoffs so far. */
  handoffs: number;
  /** The context of the last handoff, or `null`. */
  handoffContext: unknown;
  /** True while a handoff lock is held. */
  handoffLocked: boolean;
  /** First write, server time in ms since the epoch. */
  createdAt: number;
  /** Last write, server time in ms since the epoch. */
  updatedAt: number;
  /** When the last handoff happened, or `null`. */
  lastHandoffAt: number | null;
  /** Remaining TTL of the session in ms, or `null` when it does not expire. */
  ttlMs: number | null;
}
