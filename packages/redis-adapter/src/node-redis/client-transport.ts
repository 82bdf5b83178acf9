import type { RedisClientType } from 'redis';
import { InterruptionListeners, scanArgs, sendAllInOneTick, type BatchItem, type RawListener, type SendOptions, type Transport } from './transport.js';
import { CallOptions } from './call-options.js';
import { listenShared } from '../shared-listeners.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyClient = RedisClientType<any, any, any, any, any>;

/** A standalone node-redis client; pub/sub on a duplicate made on first subscribe. */
export class ClientTransport implements Transport {
  readonly topology = 'standalone' as const;
  readonly publishCommand = 'PUBLISH' as const;
  #subscriber: Promise<AnyClient> | undefined;
  /** Stops closing our subscriber when the caller's client ends. */
  #stopFollowingEnd: (() => void) | undefined;
  readonly #interruptions = new InterruptionListeners();
  readonly #options: CallOptions;

  constructor(
    private readonly client: AnyClient,
    private readonly onError: (err: Error) => void,
  ) {
    this.#options = new CallOptions(client);
  }

  abortMeansTimeout(options: SendOptions): boolean {
    return this.#options.abortMeansTimeout(options);
  }

  send(args: (string | Buffer)[], _firstKey: string | Buffer | undefined, options: SendOptions): Promise<unknown> {
    return this.client.sendCommand(args, this.#options.for(options));
  }

  sendBatch(items: readonly BatchItem[], options: SendOptions): Promise<PromiseSettledResult<unknown>[]> {
    return sendAllInOneTick(this, items, options);
  }

  async *scan(match: string | undefined, count: number, type: string | undefined): AsyncIterable<string[]> {
    yield* scanClient(this.client, match, count, type);
  }

  #getSubscriber(): Promise<AnyClient> {
    if (this.#subscriber) return this.#subscriber;
    const pending = (async () => {
      const sub = this.client.duplicate() as AnyClient;
      sub.on('error', this.onError);
      // A failed, reconnecting or reconnected subscriber may have missed messages.
      let troubled = false;
      const trouble = () => {
        troubled = true;
        this.#interruptions.emit();
      };
      sub.on('error', trouble);
      sub.on('reconnecting', trouble);
      sub.on('ready', () => {
        if (!troubled) return;
        troubled = false;
        this.#interruptions.emit();
      });
      try {
        await sub.connect();
      } catch (err) {
        sub.destroy();
        throw err;
      }
      // The duplicate follows the caller's client: when that one is closed, so is ours,
      // so a forgotten adapter cannot keep the process alive.
      this.#stopFollowingEnd = listenShared(this.client, 'end', this.#closeSubscriber, { once: true });
      return sub;
    })();
    this.#subscriber = pending;
    // A failed first connect must not poison every later subscribe: the next one tries again.
    pending.catch(() => {
      if (this.#subscriber === pending) this.#subscriber = undefined;
    });
    return pending;
  }

  readonly #closeSubscriber = () => {
    const sub = this.#subscriber;
    this.#subscriber = undefined;
    void sub?.then(
      (s) => (s.isOpen ? s.close().catch(() => s.destroy()) : undefined),
      () => undefined,
    );
  };

  onInterruption(listener: () => void): () => void {
    return this.#interruptions.add(listener);
  }

  async subscribe(channel: string, listener: RawListener): Promise<void> {
    const sub = await this.#getSubscriber();
    await sub.subscribe(channel, listener as never, true);
  }

  async unsubscribe(channel: string, listener: RawListener): Promise<void> {
    if (!this.#subscriber) return;
    const sub = await this.#subscriber;
    if (sub.isOpen) await sub.unsubscribe(channel, listener as never, true);
  }

  async close(ownsMain: boolean): Promise<void> {
    this.#stopFollowingEnd?.();
    const sub = this.#subscriber;
    this.#subscriber = undefined;
    if (sub) {
      const s = await sub.catch(() => undefined);
      if (s?.isOpen) await s.close().catch(() => s.destroy());
    }
    if (ownsMain && this.client.isOpen) await this.client.close().catch(() => this.client.destroy());
  }

  /**
   * Closes at once, without waiting for replies: calls still queued fail with a
   * retryable error. For a connection to a server that is gone, where a graceful
   * close would wait for replies that never come.
   */
  destroy(ownsMain: boolean): void {
    this.#stopFollowingEnd?.();
    const sub = this.#subscriber;
    this.#subscriber = undefined;
    void sub?.then(
      (s) => (s.isOpen ? s.destroy() : undefined),
      () => undefined,
    );
    if (ownsMain && this.client.isOpen) this.client.destroy();
  }
}

/** SCAN one node client to the end, in batches. */
export async function* scanClient(
  client: AnyClient,
  match: string | undefined,
  count: number,
  type: string | undefined,
): AsyncIterable<string[]> {
  let cursor = '0';
  do {
    const args = scanArgs(cursor, count, match, type);
    const [next, keys] = (await client.sendCommand(args, { typeMapping: {} })) as [string, string[]];
    cursor = next;
    if (keys.length > 0) yield keys;
  } while (cursor !== '0');
}
