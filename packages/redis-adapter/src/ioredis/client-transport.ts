import { InterruptionListeners, scanArgs, type BatchItem, type RawListener, type SendOptions, type Transport } from '../node-redis/transport.js';
import { mapIoredisError } from './map-error.js';
import { IoSender } from './sender.js';
import { disconnectNow } from './disconnect.js';
import { listenShared } from '../shared-listeners.js';
import { IoSubscriber } from './subscriber.js';
import { ioTopology, type IoCommandClass, type IoRedis } from './types.js';

/**
 * An ioredis `Redis`: a standalone server, or the master a sentinel-configured
 * client (`{ sentinels, name }`) follows. Pub/sub on a duplicate the adapter
 * makes on first subscribe and closes.
 */
export class IoClientTransport implements Transport {
  readonly topology: 'standalone' | 'sentinel';
  readonly publishCommand = 'PUBLISH' as const;
  readonly mapError = mapIoredisError;
  readonly #sender: IoSender;
  readonly #interruptions = new InterruptionListeners();
  #subscriber: Promise<IoSubscriber> | undefined;
  /** Stops closing our subscriber when the caller's client ends. */
  #stopFollowingEnd: (() => void) | undefined;

  constructor(
    private readonly client: IoRedis,
    Command: IoCommandClass,
    private readonly onError: (err: Error) => void,
    defaultTimeoutMs: number,
  ) {
    this.topology = ioTopology(client) as 'standalone' | 'sentinel';
    this.#sender = new IoSender(client, Command, defaultTimeoutMs, false);
  }

  abortMeansTimeout(): boolean {
    return false; // the gate rejects with a TimeoutError of its own
  }

  send(args: (string | Buffer)[], firstKey: string | Buffer | undefined, options: SendOptions): Promise<unknown> {
    return this.#sender.send(args, firstKey, options);
  }

  sendBatch(items: readonly BatchItem[], options: SendOptions): Promise<PromiseSettledResult<unknown>[]> {
    return this.#sender.sendBatch(items, options);
  }

  scan(match: string | undefined, count: number, type: string | undefined): AsyncIterable<string[]> {
    return scanNode(this.#sender, match, count, type);
  }

  onInterruption(listener: () => void): () => void {
    return this.#interruptions.add(listener);
  }

  #getSubscriber(): Promise<IoSubscriber> {
    if (this.#subscriber) return this.#subscriber;
    const pending = IoSubscriber.open(this.client, false, { onError: this.onError, onTrouble: this.#interruptions.emit });
    this.#subscriber = pending;
    pending.then(
      // The duplicate follows the caller's client: when that one ends, so does ours.
      () => {
        this.#stopFollowingEnd = listenShared(this.client, 'end', this.#closeSubscriber, { once: true });
      },
      () => {
        if (this.#subscriber === pending) this.#subscriber = undefined; // the next subscribe tries again
      },
    );
    return pending;
  }

  readonly #closeSubscriber = () => {
    const sub = this.#subscriber;
    this.#subscriber = undefined;
    void sub?.then(
      (s) => s.close(),
      () => undefined,
    );
  };

  async subscribe(channel: string, listener: RawListener): Promise<void> {
    await (await this.#getSubscriber()).subscribe(channel, listener);
  }

  async unsubscribe(channel: string): Promise<void> {
    if (!this.#subscriber) return;
    const sub = await this.#subscriber.catch(() => undefined);
    await sub?.unsubscribe(channel);
  }

  async close(ownsMain: boolean): Promise<void> {
    this.#stopFollowingEnd?.();
    const sub = this.#subscriber;
    this.#subscriber = undefined;
    if (sub) await (await sub.catch(() => undefined))?.close();
    if (ownsMain && this.client.status !== 'end') await this.client.quit().catch(() => this.client.disconnect());
  }

  /**
   * Closes at once, without waiting for replies: calls still queued fail with a
   * retryable error. For a connection to a server that is gone.
   */
  destroy(ownsMain: boolean): void {
    this.#stopFollowingEnd?.();
    const sub = this.#subscriber;
    this.#subscriber = undefined;
    void sub?.then(
      (s) => s.destroy(),
      () => undefined,
    );
    if (ownsMain && this.client.status !== 'end') disconnectNow(this.client);
  }
}

/** SCAN one connection to the end, in batches. */
export async function* scanNode(
  sender: IoSender,
  match: string | undefined,
  count: number,
  type: string | undefined,
): AsyncIterable<string[]> {
  let cursor = '0';
  const options: SendOptions = { returnBuffers: false };
  do {
    const args = scanArgs(cursor, count, match, type);
    const [next, keys] = (await sender.send(args, undefined, options)) as [string, string[]];
    cursor = next;
    if (keys.length > 0) yield keys;
  } while (cursor !== '0');
}
