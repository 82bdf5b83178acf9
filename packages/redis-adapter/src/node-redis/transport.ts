import type { Topology } from '../port.js';
import { listenShared, type SharedEmitter } from '../shared-listeners.js';

/** What one topology (client, cluster, sentinel) must provide to the generic adapter. */
export interface Transport {
  readonly topology: Topology;
  /** Sends one command; `firstKey` routes it on a cluster. */
  send(args: (string | Buffer)[], firstKey: string | Buffer | undefined, options: SendOptions): Promise<unknown>;
  /**
   * Sends several commands in one batch (one write per connection) and settles
   * each. Implementations must write them all before awaiting any reply.
   */
  sendBatch(items: readonly BatchItem[], options: SendOptions): Promise<PromiseSettledResult<unknown>[]>;
  /** SCAN on every master. */
  scan(match: string | undefined, count: number, type: string | undefined): AsyncIterable<string[]>;
  /** Subscribes on the dedicated subscriber connection (created on first use). */
  subscribe(channel: string, listener: RawListener): Promise<void>;
  unsubscribe(channel: string, listener: RawListener): Promise<void>;
  /**
   * Calls `listener` whenever a connection that may carry subscriptions fails,
   * reconnects or is replaced. Returns the function that stops the calls.
   */
  onInterruption(listener: () => void): () => void;
  /** True when node-redis' AbortError for a call sent with `options` can only mean the adapter's shared deadline passed. */
  abortMeansTimeout(options: SendOptions): boolean;
  /** The publish command for this topology (PUBLISH or SPUBLISH). */
  readonly publishCommand: 'PUBLISH' | 'SPUBLISH';
  /** Closes the subscriber connection and, when owned, the main connection. */
  close(ownsMain: boolean): Promise<void>;
  /** Maps this client library's failures to the typed errors; node-redis' mapping when absent. */
  readonly mapError?: (err: unknown, what: { script?: string; command?: string }, abortMeansTimeout?: boolean) => Error;
}

export interface SendOptions {
  readonly returnBuffers: boolean;
  readonly signal?: AbortSignal;
  /** Per-command timeout to pass to node-redis (0: none); undefined leaves the client's own setting. */
  readonly timeoutMs?: number;
}

/** The one listener the adapter registers per channel; it fans out to the adapter's own listeners. */
export type RawListener = (message: Buffer, channel: string) => void;

export interface BatchItem {
  readonly args: (string | Buffer)[];
  readonly firstKey: string | Buffer | undefined;
}

/** `sendBatch` for transports whose `send` writes synchronously: issue all in one tick. */
export function sendAllInOneTick(
  transport: Pick<Transport, 'send'>,
  items: readonly BatchItem[],
  options: SendOptions,
): Promise<PromiseSettledResult<unknown>[]> {
  return Promise.allSettled(items.map((i) => transport.send(i.args, i.firstKey, options)));
}

/**
 * Calls `emit` on each of `events` of `emitter` (one listener per event on it, shared with
 * every other adapter on the same object: see {@link listenShared}); returns the function that stops it.
 */
export function listenTo(emitter: SharedEmitter, events: readonly string[], emit: () => void): () => void {
  const stops = events.map((event) => listenShared(emitter, event, emit));
  return () => {
    for (const stop of stops) stop();
  };
}

/**
 * The listeners of {@link Transport.onInterruption}, for a transport to call.
 * With a `source`, listens to it only while someone listens here (so a
 * caller's connection object does not keep our listeners after the last one left).
 */
export class InterruptionListeners {
  readonly #listeners = new Set<() => void>();
  #stopSource: (() => void) | undefined;

  constructor(private readonly source?: (emit: () => void) => () => void) {}

  add(listener: () => void): () => void {
    this.#listeners.add(listener);
    if (this.source && !this.#stopSource) this.#stopSource = this.source(this.emit);
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0 && this.#stopSource) {
        this.#stopSource();
        this.#stopSource = undefined;
      }
    };
  }

  readonly emit = (): void => {
    for (const listener of [...this.#listeners]) {
      try {
        listener();
      } catch {
        // One listener's error must not keep the others from hearing of the interruption.
      }
    }
  };
}

/** The arguments of one SCAN call (both client libraries' transports use them). */
export function scanArgs(cursor: string, count: number, match: string | undefined, type: string | undefined): string[] {
  const args = ['SCAN', cursor, 'COUNT', String(count)];
  if (match !== undefined) args.push('MATCH', match);
  if (type !== undefined) args.push('TYPE', type);
  return args;
}
