import type { RawListener } from '../node-redis/transport.js';
import { disconnectNow } from './disconnect.js';
import type { IoRedis } from './types.js';

/**
 * One dedicated subscriber connection the adapter makes (a `duplicate()` of a
 * connection of the caller's) and closes: channels with one raw listener each,
 * messages as Buffers, trouble reported through `onTrouble`. `sharded` uses
 * SSUBSCRIBE (a cluster shard) instead of SUBSCRIBE.
 */
export class IoSubscriber {
  readonly #channels = new Map<string, RawListener>();
  #troubled = false;

  private constructor(
    readonly connection: IoRedis,
    private readonly sharded: boolean,
  ) {}

  /** Connects a duplicate of `source`; `onTrouble` hears of every failure, reconnect and recovery. */
  static async open(
    source: IoRedis,
    sharded: boolean,
    hooks: { onError: (err: Error) => void; onTrouble: () => void; onEnd?: () => void },
    override?: Record<string, unknown>,
  ): Promise<IoSubscriber> {
    const connection = source.duplicate({ lazyConnect: true, ...override });
    const sub = new IoSubscriber(connection, sharded);
    connection.on('error', hooks.onError as (...args: never[]) => void);
    const trouble = () => {
      sub.#troubled = true;
      hooks.onTrouble();
    };
    connection.on('error', trouble);
    connection.on('reconnecting', trouble);
    connection.on('ready', () => {
      if (!sub.#troubled) return;
      sub.#troubled = false;
      hooks.onTrouble();
    });
    if (hooks.onEnd) connection.on('end', hooks.onEnd);
    connection.on(sharded ? 'smessageBuffer' : 'messageBuffer', ((channel: Buffer, message: Buffer) => {
      const listener = sub.#channels.get(channel.toString('utf8'));
      listener?.(message, channel.toString('utf8'));
    }) as (...args: never[]) => void);
    try {
      await connection.connect();
    } catch (err) {
      connection.disconnect();
      throw err;
    }
    return sub;
  }

  get channels(): ReadonlyMap<string, RawListener> {
    return this.#channels;
  }

  get open(): boolean {
    return this.connection.status !== 'end';
  }

  async subscribe(channel: string, listener: RawListener): Promise<void> {
    this.#channels.set(channel, listener);
    try {
      if (this.sharded) await this.connection.ssubscribe(channel);
      else await this.connection.subscribe(channel);
    } catch (err) {
      if (this.#channels.get(channel) === listener) this.#channels.delete(channel);
      throw err;
    }
  }

  async unsubscribe(channel: string): Promise<void> {
    if (!this.#channels.delete(channel)) return;
    if (this.connection.status !== 'ready') return; // ioredis resubscribes only what is still subscribed
    if (this.sharded) await this.connection.sunsubscribe(channel);
    else await this.connection.unsubscribe(channel);
  }

  async close(): Promise<void> {
    this.#channels.clear();
    if (this.connection.status === 'end') return;
    await this.connection.quit().catch(() => this.connection.disconnect());
  }

  /** Closes at once, for a server that is gone (a graceful QUIT would wait for it). */
  destroy(): void {
    this.#channels.clear();
    if (this.connection.status !== 'end') disconnectNow(this.connection);
  }
}
