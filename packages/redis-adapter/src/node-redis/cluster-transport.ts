import type { RedisClusterType } from 'redis';
import { scanClient, type AnyClient } from './client-transport.js';
import { InterruptionListeners, listenTo, sendAllInOneTick, type BatchItem, type RawListener, type SendOptions, type Transport } from './transport.js';
import { CallOptions } from './call-options.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCluster = RedisClusterType<any, any, any, any, any>;

// Not 'node-ready' or 'node-disconnect': they also come when a shard's subscriber
// connection is first made or closed for lack of channels, which loses nothing.
const NODE_EVENTS = ['node-error', 'node-reconnecting'] as const;

/**
 * A node-redis cluster: commands routed by their first key, SCAN on every
 * master, sharded pub/sub (SSUBSCRIBE / SPUBLISH) on each channel's shard.
 */
export class ClusterTransport implements Transport {
  readonly topology = 'cluster' as const;
  readonly publishCommand = 'SPUBLISH' as const;

  /**
   * Node events of the cluster: a shard's subscriber connection fails or
   * reconnects (a failover replaces it right after). node-redis does not say
   * which connection an event is about, so any node's trouble counts.
   */
  readonly #interruptions = new InterruptionListeners((emit) => listenTo(this.cluster, NODE_EVENTS, emit));

  readonly #options: CallOptions;

  constructor(private readonly cluster: AnyCluster) {
    this.#options = new CallOptions(cluster);
  }

  onInterruption(listener: () => void): () => void {
    return this.#interruptions.add(listener);
  }

  abortMeansTimeout(options: SendOptions): boolean {
    return this.#options.abortMeansTimeout(options);
  }

  send(args: (string | Buffer)[], firstKey: string | Buffer | undefined, options: SendOptions): Promise<unknown> {
    return this.cluster.sendCommand(firstKey, false, args, this.#options.for(options));
  }

  sendBatch(items: readonly BatchItem[], options: SendOptions): Promise<PromiseSettledResult<unknown>[]> {
    return sendAllInOneTick(this, items, options);
  }

  async *scan(match: string | undefined, count: number, type: string | undefined): AsyncIterable<string[]> {
    for (const master of [...this.cluster.masters]) {
      const client = (await this.cluster.nodeClient(master)) as AnyClient;
      yield* scanClient(client, match, count, type);
    }
  }

  async subscribe(channel: string, listener: RawListener): Promise<void> {
    await this.cluster.sSubscribe(channel, listener as never, true);
  }

  async unsubscribe(channel: string, listener: RawListener): Promise<void> {
    if (this.cluster.isOpen) await this.cluster.sUnsubscribe(channel, listener as never, true);
  }

  async close(ownsMain: boolean): Promise<void> {
    if (ownsMain && this.cluster.isOpen) await this.cluster.close().catch(() => this.cluster.destroy());
  }
}
