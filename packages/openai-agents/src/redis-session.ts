import { randomUUID } from 'node:crypto';
import type {
  AgentInputItem,
  SessionHistoryTransactionArgs,
  SessionHistoryTransactionAwareSession,
} from '@openai/agents-core';
import { AtomicOperations, MAX_COUNT, type Message } from '@x/atomic-ops';
import { ClosedError, InvalidArgumentError, checkOptions, withRetry, type ResolvedRetryPolicy } from '@x/redis-adapter';
import { decodeItem, encodeItem } from './item-codec.js';
import { resolveSessionOptions, type RedisSessionOptions, type RedisSessionRedis } from './options.js';

/** Most items one write takes (one script call carries them all). */
export const MAX_ITEMS_PER_WRITE = 1000;

/** What one stored list entry holds: the item's role or type (for people reading Redis) and the encoded item. */
interface StoredItem extends Message {
  item: unknown;
}

function storedRole(item: unknown): string {
  if (typeof item === 'object' && item !== null) {
    const { role, type } = item as { role?: unknown; type?: unknown };
    if (typeof role === 'string' && role !== '') return role;
    if (typeof type === 'string' && type !== '') return type;
  }
  return 'item';
}

/** A tool's output item (it answers a call by `callId`): the model API refuses one whose call it was not given. */
function isToolOutput(item: unknown): boolean {
  if (typeof item !== 'object' || item === null) return false;
  const { type, callId } = item as { type?: unknown; callId?: unknown };
  return typeof callId === 'string' && typeof type === 'string' && (type.endsWith('_result') || type.endsWith('_output'));
}

function itemArray(value: unknown, argument: string): unknown[] {
  if (!Array.isArray(value)) throw new InvalidArgumentError(`${argument} must be an array of items`, { argument });
  if (value.length > MAX_ITEMS_PER_WRITE) {
    throw new InvalidArgumentError(`${argument} holds ${value.length} items; one write takes at most ${MAX_ITEMS_PER_WRITE}`, {
      argument,
    });
  }
  return value;
}

/** Options of the writes that take an operation id (`addItems`, `popItem`, `replaceHistoryWithCompaction`). */
export interface SessionWriteOptions {
  /**
   * Idempotency key, stored with the change in the same script call: a retry with the
   * same id (and the same items) changes nothing more and returns the first result;
   * the same id with other items (or used by another kind of write) is
   * `OperationIdConflictError`. With the session's `retry` option, only writes with
   * an id are retried. Remembered for the session's last `maxOperationIds` writes,
   * for its TTL.
   */
  operationId?: string;
}

const WRITE_OPTIONS = ['operationId'] as const;

/** The operation id of a write's options, or undefined (checked: known keys only). */
function operationIdOf(options: SessionWriteOptions | undefined, where: string): string | undefined {
  return checkOptions(options, `${where} options`, { accepted: WRITE_OPTIONS }).operationId;
}

function hasExactly(record: Record<string, unknown>, keys: string[]): boolean {
  const own = Object.keys(record);
  return own.length === keys.length && keys.every((k) => Object.prototype.hasOwnProperty.call(record, k));
}

/**
 * A `Session` of the OpenAI Agents SDK (JS) kept in Redis, built on `@x/atomic-ops`.
 *
 * Every call is one round trip: `getItems` one `LRANGE`, `addItems`,
 * `popItem`, `applyHistoryTransaction` and `replaceHistoryWithCompaction` one
 * script call each that also trims the window and refreshes the TTL of every key
 * of the session. All keys of a session share one hash tag (cluster-safe).
 * Items read back exactly as written, `Uint8Array` values and `undefined`
 * properties included.
 *
 * It implements the SDK's transaction capability: `applyHistoryTransaction` is
 * atomic and idempotent by `operationId`, and a `replace_suffix` whose expected
 * suffix is no longer there fails without changing anything.
 *
 * ```ts
 * const session = new RedisSession(client, { sessionId: 'user-42', ttlMs: 86_400_000 });
 * await run(agent, 'Hello', { session });
 * ```
 */
export class RedisSession implements SessionHistoryTransactionAwareSession, AsyncDisposable {
  /** The session's id. */
  readonly sessionId: string;
  /** The atomic operations the session is built on (its `keys` show where the items live). */
  readonly operations: AtomicOperations;
  readonly #maxItems: number;
  readonly #ttlMs: number;
  readonly #retry: ResolvedRetryPolicy | undefined;

  /**
   * @param redis - a node-redis 6 client / cluster / sentinel you own (never closed
   *   here), an `@x/redis-adapter` adapter, or a `redis://` URL or connection settings
   *   (then `close()` closes the connection this session opened). Share one client
   *   between many sessions.
   * @param options - id, prefix, window, TTL; see {@link RedisSessionOptions}.
   */
  constructor(redis: RedisSessionRedis, options: RedisSessionOptions = {}) {
    const o = resolveSessionOptions(options);
    this.sessionId = o.sessionId ?? randomUUID();
    this.#maxItems = o.maxItems;
    this.#ttlMs = o.ttlMs;
    this.#retry = o.retry;
    this.operations = new AtomicOperations(redis, {
      prefix: o.prefix,
      maxMessageBytes: o.maxItemBytes,
      maxOperationIds: o.maxOperationIds,
      ...(o.onError ? { onError: o.onError } : {}),
      ...(o.retry ? { retry: o.retry } : {}),
      ...(o.durability ? { durability: o.durability } : {}),
    });
  }

  /** The session's id. */
  async getSessionId(): Promise<string> {
    return this.sessionId;
  }

  /**
   * The session's items, oldest first, in one round trip.
   *
   * With a window (`maxItems`), a full read skips tool outputs at its start whose
   * call the window already dropped (the model API refuses an output without its call).
   *
   * @param limit - only the most recent `limit` items (still oldest first); 0 or less gives none.
   */
  async getItems(limit?: number): Promise<AgentInputItem[]> {
    this.#open();
    let last: number | undefined;
    if (limit !== undefined) {
      if (typeof limit !== 'number' || Number.isNaN(limit) || (Number.isFinite(limit) && !Number.isInteger(limit))) {
        throw new InvalidArgumentError(`limit must be an integer, got ${String(limit)}`, { argument: 'limit' });
      }
      if (limit <= 0) return [];
      last = limit > MAX_COUNT ? undefined : limit;
    }
    // The same single LRANGE as `operations.getMessages`, on the texts: only an item whose
    // text holds a tag (`"$`) needs the decoding walk.
    const key = this.operations.keys.session(this.sessionId).messages;
    const read = () => this.operations.redis.command<string[]>({ command: ['LRANGE', key, last === undefined ? 0 : -last, -1], keys: [key] });
    const texts = this.#retry === undefined ? await read() : await withRetry(this.#retry, () => {
            this.#open();
            return read();
          });
    const items = texts.map((text) => {
      const { item } = JSON.parse(text) as StoredItem;
      return (text.includes('"$') ? decodeItem(item) : item) as AgentInputItem;
    });
    if (limit === undefined && this.#maxItems > 0 && items.length >= this.#maxItems) {
      // The window may have cut between a tool call and its output: drop the outputs left without their call.
      let start = 0;
      while (start < items.length && isToolOutput(items[start])) start++;
      if (start > 0) return items.slice(start);
    }
    return items;
  }

  /**
   * Appends items in one atomic script call (trimming the window, refreshing the TTL). No items: no call.
   *
   * The SDK calls `addItems(items)`. Pass `{ operationId }` (an extension of the SDK's
   * signature) to make a retry safe: the items are then appended once per id, and the
   * session's `retry` option retries the call; without one it is never retried, since a
   * call rejected after its request left may have been applied.
   */
  async addItems(items: AgentInputItem[], options?: SessionWriteOptions): Promise<void> {
    this.#open();
    const operationId = operationIdOf(options, 'addItems');
    const encoded = this.#encode(items, 'items');
    if (encoded.length === 0) return;
    await this.operations.appendMessages(this.sessionId, encoded, {
      maxMessages: this.#maxItems,
      ttlMs: this.#ttlMs,
      ...(operationId === undefined ? {} : { operationId }),
    });
  }

  /**
   * Removes and returns the most recent item in one atomic script call, or `undefined` when there is none.
   *
   * With `{ operationId }` (an extension of the SDK's signature) the removed item is
   * remembered with the id: a retry returns it and removes nothing more, and the
   * session's `retry` option retries the call. Without one (as the SDK calls it) a
   * retry would remove the next item, so it is never retried.
   */
  async popItem(options?: SessionWriteOptions): Promise<AgentInputItem | undefined> {
    this.#open();
    const operationId = operationIdOf(options, 'popItem');
    const stored = await this.operations.popMessage<StoredItem>(this.sessionId, {
      ttlMs: this.#ttlMs,
      ...(operationId === undefined ? {} : { operationId }),
    });
    return stored === null ? undefined : (decodeItem(stored.item) as AgentInputItem);
  }

  /** Deletes every key of the session (items and remembered operation ids) in one command. */
  async clearSession(): Promise<void> {
    this.#open();
    await this.operations.deleteSession(this.sessionId);
  }

  /**
   * Applies one history transaction atomically, in one script call:
   *
   * - `append_items` appends the items;
   * - `replace_suffix` replaces the session's last items with `replacement`, only if
   *   they are exactly `expectedSuffix` (compared inside Redis); otherwise it throws
   *   `SuffixMismatchError` and changes nothing.
   *
   * The `operationId` is stored with the change in the same call: repeating it with the
   * same transaction changes nothing (a safe retry after a lost reply); reusing it with
   * a different transaction throws `OperationIdConflictError` and changes nothing. Bad
   * arguments and items that cannot be stored throw `InvalidArgumentError` before
   * anything is sent. (An `append_items` and a `replace_suffix` with an empty expected
   * suffix and the same items are the same change, so one id serves both.)
   */
  async applyHistoryTransaction(args: SessionHistoryTransactionArgs): Promise<void> {
    this.#open();
    if (typeof args !== 'object' || args === null) {
      throw new InvalidArgumentError('history transaction arguments must be an object', { argument: 'args' });
    }
    const { operationId, transaction } = args as { operationId?: unknown; transaction?: unknown };
    if (typeof operationId !== 'string' || operationId.trim() === '') {
      throw new InvalidArgumentError('operationId must be a non-empty string', { argument: 'operationId' });
    }
    if (typeof transaction !== 'object' || transaction === null) {
      throw new InvalidArgumentError('transaction must be an object', { argument: 'transaction' });
    }
    const tx = transaction as Record<string, unknown>;
    const common = { sessionId: this.sessionId, operationId, maxMessages: this.#maxItems, ttlMs: this.#ttlMs };
    if (tx.type === 'append_items' && hasExactly(tx, ['type', 'items'])) {
      const messages = this.#encode(tx.items, 'transaction.items');
      await this.operations.replaceMessages({ ...common, expectedSuffix: [], messages });
      return;
    }
    if (tx.type === 'replace_suffix' && hasExactly(tx, ['type', 'expectedSuffix', 'replacement'])) {
      const expectedSuffix = this.#encode(tx.expectedSuffix, 'transaction.expectedSuffix');
      const messages = this.#encode(tx.replacement, 'transaction.replacement');
      await this.operations.replaceMessages({ ...common, expectedSuffix, messages });
      return;
    }
    throw new InvalidArgumentError(
      "transaction must be { type: 'append_items', items } or { type: 'replace_suffix', expectedSuffix, replacement }",
      { argument: 'transaction' },
    );
  }

  /**
   * Replaces the whole history with `items` (a compaction item and the suffix it keeps)
   * in one atomic script call: no reader ever sees the session empty or half-rebuilt.
   * With `{ operationId }` (an extension of the SDK's signature) a retry changes nothing
   * more and the session's `retry` option retries the call; without one it is not
   * retried (a repeat could undo items added in between).
   */
  async replaceHistoryWithCompaction(items: AgentInputItem[], options?: SessionWriteOptions): Promise<void> {
    this.#open();
    const operationId = operationIdOf(options, 'replaceHistoryWithCompaction');
    const messages = this.#encode(items, 'items');
    await this.operations.replaceMessages({
      sessionId: this.sessionId,
      messages,
      maxMessages: this.#maxItems,
      ttlMs: this.#ttlMs,
      ...(operationId === undefined ? {} : { operationId }),
    });
  }

  /** Closes the connection this session opened from a URL or settings; a client or adapter you passed stays open. */
  #closed = false;

  /** Throws `ClosedError` (`ERR_CLOSED`) naming this class once `close()` was called. */
  #open(): void {
    if (this.#closed) throw new ClosedError('RedisSession');
  }

  close(): Promise<void> {
    this.#closed = true;
    return this.operations.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #encode(items: unknown, argument: string): StoredItem[] {
    return itemArray(items, argument).map((item, i) => {
      const path = `${argument}[${i}]`;
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        throw new InvalidArgumentError(`${path} must be an item object`, { argument: path });
      }
      return { role: storedRole(item), item: encodeItem(item, path) };
    });
  }
}
