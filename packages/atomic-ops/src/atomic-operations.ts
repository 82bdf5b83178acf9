import { randomUUID } from 'node:crypto';
import { atomicOps as scripts, type ScriptDescriptor } from '@x/lua-scripts';
import {
  ClosedError,
  DEFAULT_MAX_ID_BYTES,
  InvalidArgumentError,
  MAX_ID_BYTES_LIMIT,
  checkBoolean,
  checkDurability,
  checkFunction,
  checkOneOf,
  checkOptions,
  checkRetryPolicy,
  createRedisAdapter,
  isRedisAdapter,
  runScriptDurably,
  withRetry,
  type CallOptions,
  type RedisAdapter,
  type RedisArg,
  type ResolvedDurability,
  type ResolvedRetryPolicy,
  type ScriptCall,
} from '@x/redis-adapter';
import {
  HandoffConflictError,
  HandoffInProgressError,
  OperationIdConflictError,
  UnexpectedReplyError,
} from './errors.js';
import { AtomicOpsKeys, type SessionKeys } from './keys.js';
import {
  contentKind,
  popMessage,
  recordedKind,
  replaceMessages,
  type HistoryEditContext,
  type PopMessageOptions,
  type ReplaceMessagesInput,
} from './history-edits.js';
import type {
  AppendOptions,
  AtomicOperationsOptions,
  AtomicOperationsRedis,
  CacheScope,
  CachedResponse,
  GetCachedResponseOptions,
  GetMessagesOptions,
  HandoffEntry,
  HandoffInput,
  HandoffResult,
  Message,
  RecordResponseInput,
  RecordResponseResult,
  SessionInfo,
} from './types.js';
import {
  MAX_COUNT,
  MAX_TTL_MS,
  OPTION_KEYS,
  assertId,
  intOption,
  messageJson,
  nonNegativeNumber,
  optionalId,
  toBoundedJson,
} from './validate.js';

/** Most messages one `appendMessages` call takes (Lua passes them on its stack). */
export const MAX_MESSAGES_PER_CALL = 1000;

const DEFAULTS = {
  prefix: 'agents',
  ttlMs: 86_400_000,
  maxMessages: 1000,
  maxMessageBytes: 1_048_576,
  maxIdBytes: DEFAULT_MAX_ID_BYTES,
  cacheTtlMs: 3_600_000,
  lockTtlMs: 30_000,
  maxOperationIds: 10_000,
  maxHandoffHistory: 100,
} as const;

type ScriptReply = [number, number | string, number?];

function isReply(reply: unknown): reply is ScriptReply {
  return Array.isArray(reply) && reply.length >= 2 && typeof reply[0] === 'number';
}

/** Options of one kind, checked strictly: unknown keys are refused with the nearest name. */
function strict<T extends object>(value: T | undefined, where: string, accepted: readonly string[]): Partial<T> {
  return checkOptions(value, where, { accepted });
}

/** Input objects (recordResponse, handoff) are required. */
function required<T extends object>(value: T | undefined, where: string, accepted: readonly string[]): Partial<T> {
  if (value === undefined) throw new InvalidArgumentError(`${where} is required`, { argument: where });
  return strict(value, where, accepted);
}

/**
 * One-round-trip atomic session operations for agents, on plain Redis
 * (standalone, cluster or sentinel). Each write is one Lua script call that
 * also stamps the server time, trims the message window and refreshes the TTL
 * of every key of the session; every key of a session shares one hash tag.
 *
 * ```ts
 * const ops = new AtomicOperations('redis://localhost:6379', { prefix: 'agents' });
 * await ops.appendMessage('session-1', { role: 'user', content: 'Hello' });
 * await ops.close();
 * ```
 */
export class AtomicOperations implements AsyncDisposable {
  /** The adapter every call goes through. */
  readonly redis: RedisAdapter;
  /** The key builders (handy for inspecting what is stored). */
  readonly keys: AtomicOpsKeys;
  /** Where responses are cached. */
  readonly cacheScope: CacheScope;
  readonly #closeAdapter: boolean;
  readonly #ttlMs: number;
  readonly #maxMessages: number;
  readonly #maxMessageBytes: number;
  readonly #cacheTtlMs: number;
  readonly #lockTtlMs: number;
  readonly #maxOperationIds: number;
  readonly #maxHandoffHistory: number;
  readonly #maxIdBytes: number;
  readonly #retry: ResolvedRetryPolicy | undefined;
  readonly #durability: ResolvedDurability | undefined;
  #closed = false;

  /**
   * @param redis - a node-redis 6 client / cluster / sentinel you own (never closed
   *   here), an adapter, or a `redis://` URL or connection settings (then `close()`
   *   closes the connection this instance made).
   * @param options - prefix and defaults; see {@link AtomicOperationsOptions}.
   */
  constructor(redis: AtomicOperationsRedis, options: AtomicOperationsOptions = {}) {
    if (options !== undefined && isRedisAdapter(options)) {
      throw new InvalidArgumentError('AtomicOperations takes (redis, options): the connection came second', { argument: 'options' });
    }
    const o = strict(options, 'AtomicOperations options', OPTION_KEYS.constructor);
    this.#maxIdBytes = intOption(o.maxIdBytes, 'maxIdBytes', DEFAULTS.maxIdBytes, { min: 1, max: MAX_ID_BYTES_LIMIT });
    this.keys = new AtomicOpsKeys(assertId(o.prefix ?? DEFAULTS.prefix, 'prefix', this.#maxIdBytes), this.#maxIdBytes);
    this.#ttlMs = intOption(o.ttlMs, 'ttlMs', DEFAULTS.ttlMs, { max: MAX_TTL_MS });
    this.#maxMessages = intOption(o.maxMessages, 'maxMessages', DEFAULTS.maxMessages, { max: MAX_COUNT });
    this.#maxMessageBytes = intOption(o.maxMessageBytes, 'maxMessageBytes', DEFAULTS.maxMessageBytes, {
      min: 1,
      max: 512 * 1024 * 1024,
    });
    this.#cacheTtlMs = intOption(o.cacheTtlMs, 'cacheTtlMs', DEFAULTS.cacheTtlMs, { max: MAX_TTL_MS });
    this.#lockTtlMs = intOption(o.lockTtlMs, 'lockTtlMs', DEFAULTS.lockTtlMs, { min: 1, max: MAX_TTL_MS });
    this.#maxOperationIds = intOption(o.maxOperationIds, 'maxOperationIds', DEFAULTS.maxOperationIds, {
      min: 1,
      max: MAX_COUNT,
    });
    this.#maxHandoffHistory = intOption(o.maxHandoffHistory, 'maxHandoffHistory', DEFAULTS.maxHandoffHistory, {
      max: MAX_COUNT,
    });
    this.cacheScope = checkOneOf(o.cacheScope, 'cacheScope', ['global', 'session'] as const, 'global');
    const onError = checkFunction<(err: Error) => void>(o.onError, 'onError');
    this.#retry = checkRetryPolicy(o.retry);
    this.#durability = checkDurability(o.durability);
    const given = isRedisAdapter(redis);
    this.redis = createRedisAdapter(redis, onError ? { onError } : {});
    // An adapter the caller passed is theirs; one we wrapped around their client
    // closes only what it owns (nothing of theirs), one made from a URL closes its connection.
    this.#closeAdapter = !given;
  }

  // ---------------------------------------------------------------- writes

  /**
   * Appends one message in one atomic script call: pushes it, increments the
   * message count, stamps `updatedAt` (server time), trims to the last
   * `maxMessages` and refreshes the TTL of every key of the session.
   *
   * @returns the session's message count after the append (messages ever
   *   appended, not only those kept); on a retry with a known `operationId`, the
   *   count the original call returned, and nothing is written.
   */
  appendMessage(sessionId: string, message: Message, options?: AppendOptions): Promise<number> {
    return this.#append(sessionId, [message], options, 'message');
  }

  /** Like {@link AtomicOperations.appendMessage} for several messages, in order, in the same atomic call. */
  async appendMessages(sessionId: string, messages: readonly Message[], options?: AppendOptions): Promise<number> {
    this.#open();
    if (!Array.isArray(messages) || messages.length === 0 || messages.length > MAX_MESSAGES_PER_CALL) {
      throw new InvalidArgumentError(`messages must be an array of 1 to ${MAX_MESSAGES_PER_CALL} messages`, {
        argument: 'messages',
      });
    }
    return this.#append(sessionId, messages, options, 'messages');
  }

  async #append(
    sessionId: string,
    messages: readonly Message[],
    options: AppendOptions | undefined,
    argument: string,
  ): Promise<number> {
    this.#open();
    this.#id(sessionId, 'sessionId');
    const o = strict(options, `${argument === 'message' ? 'appendMessage' : 'appendMessages'} options`, OPTION_KEYS.append);
    const maxMessages = intOption(o.maxMessages, 'maxMessages', this.#maxMessages, { max: MAX_COUNT });
    const ttlMs = intOption(o.ttlMs, 'ttlMs', this.#ttlMs, { max: MAX_TTL_MS });
    const operationId = optionalId(o.operationId, 'operationId', this.#maxIdBytes) ?? '';
    const encoded = messages.map((m, i) =>
      messageJson(m, messages.length === 1 && argument === 'message' ? 'message' : `${argument}[${i}]`, this.#maxMessageBytes),
    );
    const keys = this.keys.sessionScriptKeys(this.keys.session(sessionId));
    if (operationId === '') {
      const reply = await this.#write(scripts.append, { keys, args: [maxMessages, ttlMs, '', this.#maxOperationIds, ...encoded] }, false);
      return this.#countFrom(reply, scripts.append.name, operationId, 'append');
    }
    // With an id: the append is a replace of an empty suffix whose recorded kind hashes the
    // messages, so the id reused with other messages is a conflict (not a silent replay).
    const kind = contentKind([], encoded, 'append');
    const args = [maxMessages, ttlMs, operationId, this.#maxOperationIds, kind, 0, ...encoded];
    const reply = await this.#write(scripts.replaceSuffix, { keys, args }, true);
    return this.#countFrom(reply, scripts.replaceSuffix.name, operationId, 'append');
  }

  #countFrom(reply: unknown, script: string, operationId: string, kind: string): number {
    if (!isReply(reply)) throw new UnexpectedReplyError(script, reply);
    const [status, value] = reply;
    if (status === 1 || status === 2) return Number(value);
    if (status === 0) throw new OperationIdConflictError(operationId, recordedKind(String(value), kind), kind);
    throw new UnexpectedReplyError(script, reply);
  }

  /**
   * Records one model response: caches `response` under `queryHash` with its own
   * TTL, appends `userMessage` (if given) and `assistantMessage`, adds the tokens,
   * the latency and one response to the session totals, stamps `updatedAt`,
   * trims and refreshes the session TTLs.
   *
   * - Session-scoped cache, or a standalone / sentinel server: one atomic script call.
   * - Global cache on a cluster (the entry lives in another slot): the session part
   *   and the cache part are two atomic scripts sent in one round trip. If only one
   *   of them ran (a crash, a dropped connection), the call rejects; retrying with
   *   the same `operationId` writes the session part at most once and rewrites the
   *   cache entry. The session part is never half-written.
   */
  async recordResponse(input: RecordResponseInput): Promise<RecordResponseResult> {
    this.#open();
    const i = required(input, 'recordResponse input', OPTION_KEYS.recordResponse);
    const sessionId = this.#id(i.sessionId, 'sessionId');
    const queryHash = this.#id(i.queryHash, 'queryHash');
    const limit = this.#maxMessageBytes;
    const response = toBoundedJson(i.response, 'response', limit);
    const encoded: string[] = [];
    if (i.userMessage !== undefined) encoded.push(messageJson(i.userMessage, 'userMessage', limit));
    encoded.push(messageJson(i.assistantMessage, 'assistantMessage', limit));
    const latencyMs = nonNegativeNumber(i.latencyMs, 'latencyMs', 0);
    const inputTokens = intOption(i.inputTokens, 'inputTokens', 0, { max: Number.MAX_SAFE_INTEGER });
    const outputTokens = intOption(i.outputTokens, 'outputTokens', 0, { max: Number.MAX_SAFE_INTEGER });
    const cacheTtlMs = intOption(i.cacheTtlMs, 'cacheTtlMs', this.#cacheTtlMs, { max: MAX_TTL_MS });
    const maxMessages = intOption(i.maxMessages, 'maxMessages', this.#maxMessages, { max: MAX_COUNT });
    const ttlMs = intOption(i.ttlMs, 'ttlMs', this.#ttlMs, { max: MAX_TTL_MS });
    const operationId = optionalId(i.operationId, 'operationId', this.#maxIdBytes) ?? '';

    const session = this.keys.session(sessionId);
    const sessionKeys = this.keys.sessionScriptKeys(session);
    const args = (mode: 'none' | 'global' | 'session'): RedisArg[] => [
      maxMessages,
      ttlMs,
      operationId,
      this.#maxOperationIds,
      inputTokens,
      outputTokens,
      latencyMs,
      mode,
      queryHash,
      // 'none' caches nothing here; with an id the script still reads it (the id is tied to the content).
      mode === 'none' && operationId === '' ? '' : response,
      cacheTtlMs,
      ...encoded,
    ];

    const record = async (): Promise<unknown> => {
      if (this.cacheScope === 'session') {
        return this.#writeOnce(scripts.recordResponse, { keys: sessionKeys, args: args('session') });
      }
      const cacheKey = this.keys.cacheEntry(queryHash);
      if (this.redis.topology !== 'cluster') {
        // Standalone and sentinel servers hold every slot: session and cache in one atomic call.
        const input = { keys: [...sessionKeys, cacheKey], args: args('global') };
        return this.#writeOnce(scripts.recordResponse, input, { allowCrossSlot: true });
      }
      const session = { script: scripts.recordResponse, keys: sessionKeys, args: args('none') };
      const cache = { script: scripts.cachePut, keys: [cacheKey], args: [response, cacheTtlMs] };
      if (this.#durability === undefined) return (await this.redis.pipeline([session, cache]))[0];
      // Durable: the session half waits for its replicas; the cache half (another node) is sent alongside.
      const [reply] = await Promise.all([this.#writeOnce(session.script, session), this.redis.runScript(cache.script, cache)]);
      return reply;
    };
    const reply = operationId === '' ? await record() : await this.#safe(record);
    return { messageCount: this.#countFrom(reply, scripts.recordResponse.name, operationId, 'record') };
  }

  /**
   * Hands the session from `fromAgent` to `toAgent` in one atomic script call:
   * takes the session's handoff lock (or throws {@link HandoffInProgressError}),
   * checks that `fromAgent` is the current agent (or throws
   * {@link HandoffConflictError}; a session no agent holds yet accepts any), sets
   * the current agent, adds both agents to the agents used, stores the context,
   * appends to the handoff history, stamps `updatedAt` and refreshes the TTLs.
   * Nothing is written when it throws.
   *
   * The lock stays until {@link AtomicOperations.releaseHandoffLock} with the
   * returned token, or until `lockTtlMs` passes. It only blocks other handoffs;
   * appends and records go on.
   */
  async handoff(input: HandoffInput): Promise<HandoffResult> {
    this.#open();
    const i = required(input, 'handoff input', OPTION_KEYS.handoff);
    const sessionId = this.#id(i.sessionId, 'sessionId');
    const fromAgent = this.#id(i.fromAgent, 'fromAgent');
    const toAgent = this.#id(i.toAgent, 'toAgent');
    const context = toBoundedJson(i.context === undefined ? null : i.context, 'context', this.#maxMessageBytes);
    const lockTtlMs = intOption(i.lockTtlMs, 'lockTtlMs', this.#lockTtlMs, { min: 1, max: MAX_TTL_MS });
    const ttlMs = intOption(i.ttlMs, 'ttlMs', this.#ttlMs, { max: MAX_TTL_MS });
    const check = checkBoolean(i.checkCurrentAgent, 'checkCurrentAgent', true);
    const token = randomUUID();
    // The history entry's JSON after its opening brace; the script puts "at" (server time) first.
    const entryTail = `"from":${JSON.stringify(fromAgent)},"to":${JSON.stringify(toAgent)},"context":${context}}`;
    const keys = this.keys.session(sessionId);
    const reply = await this.#writeOnce(scripts.handoff, {
      keys: [...this.keys.sessionScriptKeys(keys), keys.lock],
      args: [fromAgent, toAgent, entryTail, context, token, lockTtlMs, ttlMs, check ? '1' : '0', this.#maxHandoffHistory],
    });
    if (!isReply(reply)) throw new UnexpectedReplyError(scripts.handoff.name, reply);
    const [status, value, at] = reply;
    if (status === 1) return { token, handoffCount: Number(value), at: Number(at) };
    if (status === 0) throw new HandoffInProgressError(sessionId, Number(value));
    if (status === -1) throw new HandoffConflictError(sessionId, fromAgent, String(value));
    throw new UnexpectedReplyError(scripts.handoff.name, reply);
  }

  /**
   * Releases the session's handoff lock if `token` holds it.
   *
   * @returns true when released; false when the lock was not held with this token
   *   (released already, expired, or taken by another handoff since), which changes nothing.
   */
  async releaseHandoffLock(sessionId: string, token: string): Promise<boolean> {
    this.#open();
    this.#id(sessionId, 'sessionId');
    this.#id(token, 'token');
    const keys = this.keys.session(sessionId);
    const reply = await this.#safe(() => this.redis.runScript(scripts.releaseLock, { keys: [keys.lock], args: [token] }));
    return Number(reply) === 1;
  }

  /**
   * Replaces the session's last messages in one atomic script call, only if they
   * are exactly `expectedSuffix` (or the whole history when `expectedSuffix` is
   * omitted; an empty `expectedSuffix` appends). Adds the new messages to the
   * count, stamps `updatedAt`, trims to `maxMessages` and refreshes the TTL of
   * every key of the session. On a mismatch it throws {@link SuffixMismatchError}
   * and writes nothing. With an `operationId`, a retry with the same content is a
   * no-op returning the original count; the same id with other content throws
   * {@link OperationIdConflictError}.
   *
   * @returns the session's message count after the call (messages ever written).
   */
  async replaceMessages(input: ReplaceMessagesInput): Promise<number> {
    this.#open();
    return replaceMessages(this.#historyContext(), input);
  }

  /**
   * Removes and returns the session's last message in one atomic script call
   * (stamping `updatedAt` and refreshing the TTLs). The message count is kept.
   *
   * @returns the message, or `null` when the session holds none (then nothing is written).
   */
  async popMessage<M extends Message = Message>(sessionId: string, options?: PopMessageOptions): Promise<M | null> {
    this.#open();
    return popMessage<M>(this.#historyContext(), sessionId, options);
  }

  #historyContext(): HistoryEditContext {
    return {
      write: (script, input, repeatable) => this.#write(script, input, repeatable),
      keys: this.keys,
      ttlMs: this.#ttlMs,
      maxMessages: this.#maxMessages,
      maxMessageBytes: this.#maxMessageBytes,
      maxOperationIds: this.#maxOperationIds,
      maxIdBytes: this.#maxIdBytes,
    };
  }

  /**
   * Deletes every key of the session (messages, totals, agents, handoff history
   * and lock, operation ids, session-scoped cache) in one command. Global cache
   * entries are shared and stay until their TTL.
   *
   * @returns true when the session existed.
   */
  async deleteSession(sessionId: string): Promise<boolean> {
    this.#open();
    const keys = this.#sessionKeys(sessionId);
    const all = [...this.keys.sessionScriptKeys(keys), keys.lock];
    const deleted = await this.#safe(() => this.redis.command<number>({ command: ['DEL', ...all], keys: all }));
    return Number(deleted) > 0;
  }

  // ----------------------------------------------------------------- reads

  /**
   * Looks a response up in the cache and counts the hit in the same atomic call.
   *
   * @returns the entry, or `null` on a miss.
   */
  async getCachedResponse<T = unknown>(
    queryHash: string,
    options?: GetCachedResponseOptions,
  ): Promise<CachedResponse<T> | null> {
    this.#open();
    this.#id(queryHash, 'queryHash');
    const o = strict(options, 'getCachedResponse options', OPTION_KEYS.cache);
    let reply: unknown;
    let name: string;
    if (this.cacheScope === 'session') {
      if (o.sessionId === undefined) {
        throw new InvalidArgumentError("getCachedResponse needs options.sessionId when cacheScope is 'session'", {
          argument: 'sessionId',
        });
      }
      const keys = this.#sessionKeys(o.sessionId);
      name = scripts.cacheGetSession.name;
      reply = await this.#safe(() => this.redis.runScript(scripts.cacheGetSession, { keys: [keys.scache, keys.scachex], args: [queryHash] }));
    } else {
      optionalId(o.sessionId, 'sessionId', this.#maxIdBytes);
      name = scripts.cacheGet.name;
      reply = await this.#safe(() => this.redis.runScript(scripts.cacheGet, { keys: [this.keys.cacheEntry(queryHash)] }));
    }
    if (!Array.isArray(reply)) throw new UnexpectedReplyError(name, reply);
    if (reply.length === 0) return null;
    const [response, hits, cachedAt, pttl] = reply as [string, number, string, number];
    return {
      response: JSON.parse(response) as T,
      hits: Number(hits),
      cachedAt: Number(cachedAt),
      ttlMs: Number(pttl) >= 0 ? Number(pttl) : null,
    };
  }

  /**
   * Removes a cached response (global, or the session's with `cacheScope: 'session'`),
   * e.g. when the answer went stale.
   *
   * @returns true when there was an entry.
   */
  async invalidateCachedResponse(queryHash: string, options?: GetCachedResponseOptions): Promise<boolean> {
    this.#open();
    this.#id(queryHash, 'queryHash');
    const o = strict(options, 'invalidateCachedResponse options', OPTION_KEYS.cache);
    if (this.cacheScope === 'session') {
      if (o.sessionId === undefined) {
        throw new InvalidArgumentError("invalidateCachedResponse needs options.sessionId when cacheScope is 'session'", {
          argument: 'sessionId',
        });
      }
      const keys = this.#sessionKeys(o.sessionId);
      const reply = await this.#safe(() =>
        this.redis.runScript(scripts.cacheDeleteSession, { keys: [keys.scache, keys.scachex], args: [queryHash] }),
      );
      return Number(reply) === 1;
    }
    optionalId(o.sessionId, 'sessionId', this.#maxIdBytes);
    const key = this.keys.cacheEntry(queryHash);
    return Number(await this.#safe(() => this.redis.command({ command: ['DEL', key], keys: [key] }))) === 1;
  }

  /**
   * Reads the session's kept messages, oldest first, exactly as written.
   * An unknown session has none.
   */
  async getMessages<M extends Message = Message>(sessionId: string, options?: GetMessagesOptions): Promise<M[]> {
    this.#open();
    const keys = this.#sessionKeys(sessionId);
    const o = strict(options, 'getMessages options', OPTION_KEYS.read);
    const last = o.last === undefined ? undefined : intOption(o.last, 'last', 0, { max: MAX_COUNT });
    if (last === 0) return [];
    const start = last === undefined ? 0 : -last;
    const items = await this.#safe(() =>
      this.redis.command<string[]>({ command: ['LRANGE', keys.messages, start, -1], keys: [keys.messages] }),
    );
    return items.map((text) => JSON.parse(text) as M);
  }

  /** Reads the session's handoff history (the kept entries), oldest first. */
  async getHandoffHistory<C = unknown>(sessionId: string, options?: GetMessagesOptions): Promise<HandoffEntry<C>[]> {
    this.#open();
    const keys = this.#sessionKeys(sessionId);
    const o = strict(options, 'getHandoffHistory options', OPTION_KEYS.read);
    const last = o.last === undefined ? undefined : intOption(o.last, 'last', 0, { max: MAX_COUNT });
    if (last === 0) return [];
    const items = await this.#safe(() =>
      this.redis.command<string[]>({ command: ['LRANGE', keys.handoffs, last === undefined ? 0 : -last, -1], keys: [keys.handoffs] }),
    );
    return items.map((text) => JSON.parse(text) as HandoffEntry<C>);
  }

  /**
   * Reads the session's summary (counts, current agent, agents used, token and
   * latency totals, timestamps, TTL) in one script call.
   *
   * @returns the summary, or `null` when the session does not exist.
   */
  async getSession(sessionId: string): Promise<SessionInfo | null> {
    this.#open();
    const keys = this.#sessionKeys(sessionId);
    const reply = await this.#safe(() =>
      this.redis.runScript(scripts.getSession, { keys: [keys.meta, keys.messages, keys.agents, keys.handoffs, keys.lock] }),
    );
    if (!Array.isArray(reply)) throw new UnexpectedReplyError(scripts.getSession.name, reply);
    if (reply.length === 0) return null;
    const [flat, agents, stored, , pttl, lockPttl] = reply as [string[], string[], number, number, number, number];
    const meta = new Map<string, string>();
    for (let k = 0; k + 1 < flat.length; k += 2) meta.set(flat[k]!, flat[k + 1]!);
    const num = (field: string): number => Number(meta.get(field) ?? 0);
    const context = meta.get('handoffContext');
    const lastHandoffAt = meta.get('lastHandoffAt');
    return {
      sessionId,
      messageCount: num('count'),
      storedMessages: Number(stored),
      currentAgent: meta.get('currentAgent') ?? null,
      agentsUsed: [...agents].sort(),
      responses: num('responses'),
      inputTokens: num('inputTokens'),
      outputTokens: num('outputTokens'),
      totalLatencyMs: num('latencyMs'),
      handoffs: num('handoffs'),
      handoffContext: context === undefined ? null : (JSON.parse(context) as unknown),
      handoffLocked: Number(lockPttl) !== -2,
      createdAt: num('createdAt'),
      updatedAt: num('updatedAt'),
      lastHandoffAt: lastHandoffAt === undefined ? null : Number(lastHandoffAt),
      ttlMs: Number(pttl) >= 0 ? Number(pttl) : null,
    };
  }

  /**
   * Runs a write script once, followed in the same round trip by `WAIT` when the
   * instance has a `durability` option.
   */
  #writeOnce(script: ScriptDescriptor, input: Omit<ScriptCall, 'script'>, options?: CallOptions): Promise<unknown> {
    if (this.#durability === undefined) return this.redis.runScript(script, input, options);
    return runScriptDurably(this.redis, script, input, this.#durability, options);
  }

  /**
   * Runs a write script (see `#writeOnce`); under the retry policy only when
   * `repeatable` (it carries an operation id): a write without one may have been
   * applied before its reply was lost, so it is never repeated.
   */
  #write(script: ScriptDescriptor, input: Omit<ScriptCall, 'script'>, repeatable: boolean): Promise<unknown> {
    return repeatable ? this.#safe(() => this.#writeOnce(script, input)) : this.#writeOnce(script, input);
  }

  /** Runs a call that is safe to repeat (a read, a delete, a write with an operation id) under the retry policy. */
  #safe<T>(call: () => Promise<T>): Promise<T> {
    if (this.#retry === undefined) return call();
    return withRetry(this.#retry, () => {
      this.#open();
      return call();
    });
  }

  #sessionKeys(sessionId: string): SessionKeys {
    return this.keys.session(this.#id(sessionId, 'sessionId'));
  }

  /** An id within this instance's `maxIdBytes`. */
  #id(value: unknown, argument: string): string {
    return assertId(value, argument, this.#maxIdBytes);
  }

  /** Refuses calls after `close()`, naming this class. */
  #open(): void {
    if (this.#closed) throw new ClosedError('AtomicOperations');
  }

  // ------------------------------------------------------------- lifecycle

  /**
   * Closes the connection this instance created from a URL or settings. A
   * client or adapter you passed in stays open. Idempotent; every other
   * method then rejects with `ClosedError` (code `ERR_CLOSED`).
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#closeAdapter) await this.redis.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
