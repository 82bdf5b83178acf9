import { MAX_SHARED_TIMEOUT_MS, SharedDeadlines } from './deadlines.js';
import { BUFFER_MAPPING, BUFFERS, plainOptionsFor, STRING_MAPPING, type PlainOptions } from './type-mapping.js';

/** How a connection shows its own command options: its timeout, and an abort signal of its own. */
interface ShownCommandOptions {
  _commandOptions?: { timeout?: unknown; abortSignal?: unknown } | null;
}

/**
 * The timeout a node-redis client or cluster applies to every command
 * (`commandOptions.timeout`, 5 000 ms by default in node-redis 6): a positive
 * number, 0 when it has none, undefined when the connection does not show it
 * (a plain sentinel client), in which case node-redis is left to apply it.
 */
export function connectionTimeoutMs(connection: object): number | undefined {
  const o = (connection as ShownCommandOptions)._commandOptions;
  if (o === undefined || o === null) return undefined;
  const t = o.timeout;
  return typeof t === 'number' && t > 0 ? t : 0;
}

/**
 * node-redis command options for the calls on one connection: its type
 * mapping (see {@link plainOptionsFor}) and its command timeout, kept with
 * shared abort signals instead of a timer per command (see {@link SharedDeadlines}).
 *
 * Left to node-redis as before: calls with a caller's signal, connections that
 * do not show their timeout or carry an abort signal of their own
 * (`withAbortSignal`), and timeouts too long for a timer.
 */
export class CallOptions {
  readonly #plain: PlainOptions;
  readonly #connectionTimeoutMs: number | undefined;
  /** The connection has an abort signal of its own: ours would replace it. */
  readonly #connectionSignal: boolean;
  readonly #deadlines = new Map<number, SharedDeadlines>();

  constructor(connection: object) {
    this.#plain = plainOptionsFor(connection);
    this.#connectionTimeoutMs = connectionTimeoutMs(connection);
    const shown = (connection as ShownCommandOptions)._commandOptions;
    this.#connectionSignal = shown !== undefined && shown !== null && shown.abortSignal !== undefined;
  }

  /**
   * True when node-redis' AbortError for a call made with `options` and no
   * caller signal can only mean that the shared deadline passed.
   */
  abortMeansTimeout(options: { signal?: AbortSignal; timeoutMs?: number }): boolean {
    if (options.signal !== undefined || this.#connectionSignal) return false;
    const timeoutMs = options.timeoutMs ?? this.#connectionTimeoutMs;
    return timeoutMs !== undefined && timeoutMs > 0 && timeoutMs <= MAX_SHARED_TIMEOUT_MS;
  }

  /**
   * Options for one call: shared objects for a plain call on a connection
   * without a type mapping; one small object per call otherwise.
   */
  for(options: { returnBuffers: boolean; signal?: AbortSignal; timeoutMs?: number }): object | undefined {
    const mapping = options.returnBuffers ? BUFFERS : this.#plain;
    if (options.signal) {
      // The caller's own signal: node-redis handles it and the timeout as it always does.
      return {
        typeMapping: options.returnBuffers ? BUFFER_MAPPING : STRING_MAPPING,
        abortSignal: options.signal,
        ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
      };
    }
    if (!this.abortMeansTimeout(options)) {
      // node-redis' own timer (or none): only an explicit timeoutMs to pass on.
      return options.timeoutMs === undefined ? mapping : { ...mapping, timeout: options.timeoutMs };
    }
    const timeoutMs = (options.timeoutMs ?? this.#connectionTimeoutMs)!;
    let deadlines = this.#deadlines.get(timeoutMs);
    if (deadlines === undefined) {
      deadlines = new SharedDeadlines(timeoutMs);
      this.#deadlines.set(timeoutMs, deadlines);
    }
    const deadline = deadlines.options();
    return mapping === undefined ? deadline : { ...mapping, ...deadline };
  }
}
