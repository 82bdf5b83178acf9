import { InterruptionListeners, type BatchItem, type RawListener, type SendOptions, type Transport } from '../node-redis/transport.js';
import { sameAddress, type NodeAddress, SentinelWatch } from './watch.js';

/**
 * The refusal of a call by a client that was closed before the call was written: node-redis'
 * `ClientClosedError`, ioredis' "Connection is closed.". Told by name and message, as the
 * error mapping does.
 */
function isNeverWritten(err: unknown): boolean {
  return err instanceof Error && (err.constructor?.name === 'ClientClosedError' || err.message === 'Connection is closed.');
}

/** A connection to one master, opened by the client library. */
export interface MasterConnection {
  /** The transport over a plain client connected to the master. */
  readonly transport: Transport;
  /** Calls `listener` when the connection fails or reconnects; returns the function that stops it. */
  onTrouble(listener: () => void): () => void;
  /** True while the connection is up (a graceful close can let its replies arrive). */
  readonly isReady: boolean;
  /** Closes it: gracefully when up, else at once (queued calls then fail with a retryable error). */
  close(): Promise<void>;
}

/**
 * The transport of a sentinel connection the adapter creates: a plain client
 * on the current master, replaced when {@link SentinelWatch} finds a new one.
 * Subscriptions are replayed on the new master's subscriber and listeners of
 * `onInterruption` hear of every move (messages may have been missed).
 *
 * Calls sent to the old master while it was down fail with a retryable
 * `ConnectionError` when it is replaced (they were never written, or their
 * reply was lost: the README's "a rejected write may have been applied").
 */
export class MasterFollowingTransport implements Transport {
  readonly topology = 'sentinel' as const;
  readonly publishCommand = 'PUBLISH' as const;
  readonly #interruptions = new InterruptionListeners();
  readonly #channels = new Map<string, Set<RawListener>>();
  #master: { address: NodeAddress; connection: MasterConnection; stopTrouble: () => void } | undefined;
  #moving: Promise<void> | undefined;
  #closed = false;
  readonly watch: SentinelWatch;

  constructor(
    makeWatch: (current: () => NodeAddress | undefined, moveTo: (master: NodeAddress) => Promise<void>) => SentinelWatch,
    private readonly open: (master: NodeAddress) => Promise<MasterConnection>,
    /** Closes what the watch's links keep open, after the rest. */
    private readonly closeLinks: () => void = () => undefined,
  ) {
    this.watch = makeWatch(
      () => this.#master?.address,
      (master) => this.#moveTo(master),
    );
  }

  /** Finds the master, connects to it and starts following the sentinels. */
  async connect(): Promise<void> {
    const master = await this.watch.findMaster();
    await this.#moveTo(master);
    await this.watch.start();
  }

  get #transport(): Transport {
    if (!this.#master) throw new Error('internal: a call reached the sentinel connection before it was made');
    return this.#master.connection.transport;
  }

  #moveTo(address: NodeAddress): Promise<void> {
    if (this.#closed || sameAddress(address, this.#master?.address)) return this.#moving ?? Promise.resolve();
    const previous = this.#moving ?? Promise.resolve();
    const move = previous.then(async () => {
      if (this.#closed || sameAddress(address, this.#master?.address)) return;
      const connection = await this.open(address);
      if (this.#closed) {
        await connection.close();
        return;
      }
      for (const [channel, listeners] of this.#channels) {
        for (const listener of listeners) await connection.transport.subscribe(channel, listener).catch(() => undefined);
      }
      const old = this.#master;
      const stopTrouble = connection.onTrouble(() => {
        this.#interruptions.emit();
        this.watch.troubled();
      });
      const stopRelay = connection.transport.onInterruption(this.#interruptions.emit);
      this.#master = {
        address,
        connection,
        stopTrouble: () => {
          stopTrouble();
          stopRelay();
        },
      };
      if (old) {
        old.stopTrouble();
        await old.connection.close().catch(() => undefined);
        this.#interruptions.emit();
      }
    });
    const settled = move.finally(() => {
      if (this.#moving === settled) this.#moving = undefined;
    });
    this.#moving = settled;
    return settled;
  }

  onInterruption(listener: () => void): () => void {
    return this.#interruptions.add(listener);
  }

  abortMeansTimeout(options: SendOptions): boolean {
    return this.#transport.abortMeansTimeout(options);
  }

  get mapError() {
    return this.#master?.connection.transport.mapError;
  }

  /**
   * A call that reached a connection just replaced and was refused as "closed" was never
   * written (it waited for that connection to come back): it goes to the new master instead.
   */
  async send(args: (string | Buffer)[], firstKey: string | Buffer | undefined, options: SendOptions): Promise<unknown> {
    const transport = this.#transport;
    try {
      return await transport.send(args, firstKey, options);
    } catch (err) {
      if (!this.#replaced(transport, err)) throw err;
      return this.#transport.send(args, firstKey, options);
    }
  }

  async sendBatch(items: readonly BatchItem[], options: SendOptions): Promise<PromiseSettledResult<unknown>[]> {
    const transport = this.#transport;
    const results = await transport.sendBatch(items, options);
    if (results.length > 0 && results.every((r) => r.status === 'rejected' && this.#replaced(transport, r.reason))) {
      return this.#transport.sendBatch(items, options);
    }
    return results;
  }

  /** True when `transport` is no longer the master's and `err` says the call was refused by a closed connection. */
  #replaced(transport: Transport, err: unknown): boolean {
    return !this.#closed && this.#master !== undefined && this.#master.connection.transport !== transport && isNeverWritten(err);
  }

  scan(match: string | undefined, count: number, type: string | undefined): AsyncIterable<string[]> {
    return this.#transport.scan(match, count, type);
  }

  async subscribe(channel: string, listener: RawListener): Promise<void> {
    const listeners = this.#channels.get(channel) ?? new Set();
    listeners.add(listener);
    this.#channels.set(channel, listeners);
    await this.#transport.subscribe(channel, listener);
  }

  async unsubscribe(channel: string, listener: RawListener): Promise<void> {
    const listeners = this.#channels.get(channel);
    listeners?.delete(listener);
    if (listeners?.size === 0) this.#channels.delete(channel);
    if (this.#master) await this.#transport.unsubscribe(channel, listener);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.watch.close();
    await this.#moving?.catch(() => undefined);
    const master = this.#master;
    this.#master = undefined;
    if (master) {
      master.stopTrouble();
      await master.connection.close();
    }
    this.closeLinks();
  }
}
