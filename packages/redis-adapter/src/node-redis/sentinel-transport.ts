import type { RedisSentinelType } from 'redis';
import { InterruptionListeners, listenTo, type BatchItem, type RawListener, type SendOptions, type Transport } from './transport.js';
import { CallOptions } from './call-options.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnySentinel = RedisSentinelType<any, any, any, any, any>;

const SENTINEL_EVENTS = ['reconnecting', 'topology-change'] as const;

/** A node-redis sentinel client: commands go to the current master; pub/sub on its dedicated connection. */
export class SentinelTransport implements Transport {
  readonly topology = 'sentinel' as const;
  readonly publishCommand = 'PUBLISH' as const;

  /**
   * Sentinel events: a reconnect, a new master, and connection errors (its pub/sub
   * connection reports through them). 'error' is listened to only when someone
   * already does: adding the first listener would hide errors that would
   * otherwise reach the caller as an uncaught 'error' event.
   */
  readonly #interruptions = new InterruptionListeners((emit) =>
    listenTo(this.sentinel, this.sentinel.listenerCount('error') > 0 ? [...SENTINEL_EVENTS, 'error'] : SENTINEL_EVENTS, emit),
  );

  readonly #options: CallOptions;

  constructor(private readonly sentinel: AnySentinel) {
    this.#options = new CallOptions(sentinel);
  }

  onInterruption(listener: () => void): () => void {
    return this.#interruptions.add(listener);
  }

  abortMeansTimeout(options: SendOptions): boolean {
    return this.#options.abortMeansTimeout(options);
  }

  send(args: (string | Buffer)[], _firstKey: string | Buffer | undefined, options: SendOptions): Promise<unknown> {
    return this.sentinel.sendCommand(false, args, this.#options.for(options));
  }

  /**
   * Each `sentinel.sendCommand` leases the master client on its own, which
   * serialises concurrent calls; one lease for the whole batch writes them together.
   */
  sendBatch(items: readonly BatchItem[], options: SendOptions): Promise<PromiseSettledResult<unknown>[]> {
    return this.sentinel.use((client) =>
      Promise.allSettled(items.map((i) => client.sendCommand(false, i.args, this.#options.for(options)))),
    );
  }

  async *scan(match: string | undefined, count: number, type: string | undefined): AsyncIterable<string[]> {
    const opts: { MATCH?: string; COUNT: number; TYPE?: string } = { COUNT: count };
    if (match !== undefined) opts.MATCH = match;
    if (type !== undefined) opts.TYPE = type;
    for await (const keys of this.sentinel.scanIterator(opts)) {
      if (keys.length > 0) yield keys.map(String);
    }
  }

  async subscribe(channel: string, listener: RawListener): Promise<void> {
    await this.sentinel.subscribe(channel, listener as never, true);
  }

  async unsubscribe(channel: string, listener: RawListener): Promise<void> {
    if (this.sentinel.isOpen) await this.sentinel.unsubscribe(channel, listener as never, true);
  }

  async close(ownsMain: boolean): Promise<void> {
    if (ownsMain && this.sentinel.isOpen) await this.sentinel.close().catch(() => this.sentinel.destroy());
  }
}
