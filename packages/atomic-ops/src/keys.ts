import { Keyspace, assertId } from '@x/redis-adapter';

/**
 * Every key of one session, in the order the session scripts take them
 * (`KEYS[1]` .. `KEYS[8]`), plus the handoff lock. All share the hash tag
 * `{<prefix>:<encoded sessionId>}`, so a session is one cluster slot.
 */
export interface SessionKeys {
  /** Hash: counters, totals, timestamps, current agent, last handoff context. */
  readonly meta: string;
  /** List: the JSON messages, oldest first (the sliding window). */
  readonly messages: string;
  /** Set: every agent that held the session. */
  readonly agents: string;
  /** List: JSON handoff entries, oldest first. */
  readonly handoffs: string;
  /** Hash: operation id -> `<kind>:<result>` (idempotency records). */
  readonly ops: string;
  /** List: the remembered operation ids, oldest first (bounds `ops`). */
  readonly opslog: string;
  /** Hash: the session-scoped response cache (`r|`, `t|`, `h|` + query hash). */
  readonly scache: string;
  /** Zset: expiry time (ms) of each session-scoped cache entry. */
  readonly scachex: string;
  /** String: the token of the handoff in progress; its own TTL. */
  readonly lock: string;
}

/** The names of the session keys the write scripts take, in `KEYS` order. */
export const SESSION_KEY_NAMES = ['meta', 'messages', 'agents', 'handoffs', 'ops', 'opslog', 'scache', 'scachex'] as const;

const RECENT_SESSIONS = 1024;

/** Builds every key `@x/atomic-ops` uses under one prefix. */
export class AtomicOpsKeys {
  readonly keyspace: Keyspace;
  /** Recently built session keys (encoding an id is the costly part of building them). */
  readonly #recent = new Map<string, SessionKeys>();

  /** @param maxIdBytes - the id byte limit of session ids and query hashes (default 1024). */
  constructor(prefix: string, maxIdBytes = 1024) {
    this.keyspace = new Keyspace(prefix, { maxIdBytes });
  }

  /** Every key of one session (see {@link SessionKeys}). */
  session(sessionId: string): SessionKeys {
    const cached = this.#recent.get(sessionId);
    if (cached !== undefined) return cached;
    assertId(sessionId, 'sessionId');
    if (this.#recent.size >= RECENT_SESSIONS) this.#recent.clear();
    const keys = this.#build(sessionId);
    this.#recent.set(sessionId, keys);
    return keys;
  }

  #build(sessionId: string): SessionKeys {
    const ks = this.keyspace;
    return Object.freeze({
      meta: ks.key(sessionId, 'meta'),
      messages: ks.key(sessionId, 'messages'),
      agents: ks.key(sessionId, 'agents'),
      handoffs: ks.key(sessionId, 'handoffs'),
      ops: ks.key(sessionId, 'ops'),
      opslog: ks.key(sessionId, 'opslog'),
      scache: ks.key(sessionId, 'scache'),
      scachex: ks.key(sessionId, 'scachex'),
      lock: ks.key(sessionId, 'lock'),
    });
  }

  /** The session keys the write scripts take, in `KEYS` order. */
  sessionScriptKeys(keys: SessionKeys): string[] {
    return [keys.meta, keys.messages, keys.agents, keys.handoffs, keys.ops, keys.opslog, keys.scache, keys.scachex];
  }

  /**
   * The global cache entry of one query hash: `<prefix>:{<prefix>:<encoded queryHash>}:cache`,
   * in the query hash's own slot (so the cache spreads over the cluster).
   */
  cacheEntry(queryHash: string): string {
    assertId(queryHash, 'queryHash');
    return this.keyspace.key(queryHash, 'cache');
  }

  /** A `SCAN MATCH` pattern for every key under this prefix (sessions and cache). */
  scanPattern(): string {
    return this.keyspace.scanPattern();
  }
}
