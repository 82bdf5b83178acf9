import { BaseListChatMessageHistory } from '@langchain/core/chat_history';
import {
  mapChatMessagesToStoredMessages,
  mapStoredMessagesToChatMessages,
  type BaseMessage,
  type StoredMessage,
} from '@langchain/core/messages';
import { AtomicOperations, MAX_MESSAGES_PER_CALL, type Message } from '@x/atomic-ops';
import { ClosedError, InvalidArgumentError, NotSerializableError, checkOptions } from '@x/redis-adapter';
import {
  resolveHistoryOptions,
  type RedisChatMessageHistoryOptions,
  type RedisChatMessageHistoryRedis,
} from './options.js';

/** One stored list entry: LangChain's stored message with its `type` as the role atomic-ops requires. */
interface StoredEntry extends Message {
  data: StoredMessage['data'];
}

/** The stand-in LangChain's `toDict()` writes for what it cannot serialise (a cycle, a class instance). */
function isPlaceholder(value: Record<string, unknown>): boolean {
  return value.lc === 1 && value.type === 'not_implemented' && Array.isArray(value.id);
}

/**
 * Drops object properties that are `undefined` (as JSON text would); everything
 * else is kept for the JSON check. A stand-in that `toDict()` wrote in place of
 * the user's value is refused (`NotSerializableError`): it would read back as
 * something else.
 */
function withoutUndefined(value: unknown, path: string): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v, i) => withoutUndefined(v, `${path}[${i}]`));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value; // refused by the JSON check, with its path
  if (isPlaceholder(value as Record<string, unknown>)) {
    throw new NotSerializableError(
      `${path} cannot be stored as written (a cycle, or an object LangChain cannot serialise: ${String((value as { id: unknown[] }).id.join('.'))})`,
      { argument: path, path },
    );
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const inner = withoutUndefined(v, `${path}.${key}`);
    if (key === '__proto__') Object.defineProperty(out, key, { value: inner, enumerable: true, writable: true, configurable: true });
    else out[key] = inner;
  }
  return out;
}

/** Options of `addMessage` / `addMessages` (an extension of LangChain's signatures). */
export interface AddMessagesOptions {
  /**
   * Idempotency key, stored with the messages in the same script call: a retry with
   * the same id (and the same messages) appends nothing more; the same id with other
   * messages is `OperationIdConflictError`. With the history's `retry` option, only
   * appends with an id are retried. Remembered for the history's last 10 000 appends
   * with an id, for its TTL.
   */
  operationId?: string;
}

const ADD_OPTIONS = ['operationId'] as const;

/**
 * A LangChain.js chat message history in Redis, built on `@x/atomic-ops`: a
 * drop-in `BaseListChatMessageHistory` for `RunnableWithMessageHistory` and
 * friends.
 *
 * - `addMessages` is **one atomic script call** for the whole batch: push, trim
 *   to `maxMessages`, refresh the TTL of every key of the history;
 * - `getMessages` is one `LRANGE`; `clear` one `DEL`;
 * - messages are stored through LangChain's own stored-message mapping
 *   (`toDict()` / `mapStoredMessagesToChatMessages`), so tool calls, additional
 *   kwargs and response metadata read back exactly;
 * - keys live under a prefix, with the session id encoded inside one hash tag
 *   (cluster-safe; no id can reach another's keys).
 *
 * ```ts
 * const history = new RedisChatMessageHistory(client, { sessionId: 'user-42', ttlMs: 86_400_000 });
 * ```
 */
export class RedisChatMessageHistory extends BaseListChatMessageHistory {
  lc_namespace = ['langchain', 'stores', 'message', 'x_redis'];

  /** The conversation's id. */
  readonly sessionId: string;
  /** The atomic operations the history is built on (its `keys` show where the messages live). */
  readonly operations: AtomicOperations;
  readonly #maxMessages: number;
  readonly #ttlMs: number;

  /**
   * @param redis - a node-redis 6 client / cluster / sentinel you own (never closed
   *   here), an `@x/redis-adapter` adapter, or a `redis://` URL or connection settings
   *   (then `close()` closes the connection this history opened). Share one client
   *   between many histories.
   * @param options - session id, prefix, window, TTL; see {@link RedisChatMessageHistoryOptions}.
   */
  constructor(redis: RedisChatMessageHistoryRedis, options: RedisChatMessageHistoryOptions) {
    const o = resolveHistoryOptions(options);
    super();
    this.sessionId = o.sessionId;
    this.#maxMessages = o.maxMessages;
    this.#ttlMs = o.ttlMs;
    this.operations = new AtomicOperations(redis, {
      prefix: o.prefix,
      maxMessageBytes: o.maxMessageBytes,
      ...(o.onError ? { onError: o.onError } : {}),
      ...(o.retry ? { retry: o.retry } : {}),
      ...(o.durability ? { durability: o.durability } : {}),
    });
  }

  /**
   * Every kept message, oldest first, in one round trip. With a window
   * (`maxMessages`), tool messages at the window's start whose AI message the window
   * already dropped are left out.
   */
  async getMessages(): Promise<BaseMessage[]> {
    this.#open();
    const stored = await this.operations.getMessages<StoredEntry>(this.sessionId);
    let start = 0;
    if (this.#maxMessages > 0 && stored.length >= this.#maxMessages) {
      // The window may have cut between an AI message's tool calls and their results:
      // leave out tool messages at its start (models refuse a tool result without its call).
      while (start < stored.length && stored[start]!.role === 'tool') start++;
    }
    return mapStoredMessagesToChatMessages(stored.slice(start).map(({ role, data }) => ({ type: role, data })));
  }

  /** Appends one message in one atomic script call; `{ operationId }` as for {@link RedisChatMessageHistory.addMessages}. */
  async addMessage(message: BaseMessage, options?: AddMessagesOptions): Promise<void> {
    this.#open();
    await this.addMessages([message], options);
  }

  /**
   * Appends the messages, in order, in one atomic script call (trimming the window, refreshing the TTL). No messages: no call.
   *
   * LangChain calls `addMessages(messages)`. Pass `{ operationId }` (an extension of its
   * signature) to make a retry safe: the messages are then appended once per id, and the
   * history's `retry` option retries the call; without one it is never retried, since a
   * call rejected after its request left may have been applied.
   */
  async addMessages(messages: BaseMessage[], options?: AddMessagesOptions): Promise<void> {
    this.#open();
    const { operationId } = checkOptions(options, 'addMessages options', { accepted: ADD_OPTIONS });
    if (!Array.isArray(messages)) {
      throw new InvalidArgumentError('messages must be an array of messages', { argument: 'messages' });
    }
    if (messages.length === 0) return;
    if (messages.length > MAX_MESSAGES_PER_CALL) {
      throw new InvalidArgumentError(`one call takes at most ${MAX_MESSAGES_PER_CALL} messages, got ${messages.length}`, {
        argument: 'messages',
      });
    }
    const entries = messages.map((message, i): StoredEntry => {
      if (typeof (message as { toDict?: unknown })?.toDict !== 'function') {
        throw new InvalidArgumentError(`messages[${i}] must be a LangChain message`, { argument: `messages[${i}]` });
      }
      const [stored] = mapChatMessagesToStoredMessages([message]);
      return { role: stored!.type, data: withoutUndefined(stored!.data, `messages[${i}]`) as StoredMessage['data'] };
    });
    await this.operations.appendMessages(this.sessionId, entries, {
      maxMessages: this.#maxMessages,
      ttlMs: this.#ttlMs,
      ...(operationId === undefined ? {} : { operationId }),
    });
  }


  /** Deletes every key of the history in one command. */
  async clear(): Promise<void> {
    this.#open();
    await this.operations.deleteSession(this.sessionId);
  }

  /** Closes the connection this history opened from a URL or settings; a client or adapter you passed stays open. */
  #closed = false;

  /** Throws `ClosedError` (`ERR_CLOSED`) naming this class once `close()` was called. */
  #open(): void {
    if (this.#closed) throw new ClosedError('RedisChatMessageHistory');
  }

  close(): Promise<void> {
    this.#closed = true;
    return this.operations.close();
  }
}
