import { InterruptionListeners, listenTo, type BatchItem, type RawListener, type SendOptions, type Transport } from '../node-redis/transport.js';
import { scanNode } from './client-transport.js';
import { mapIoredisError } from './map-error.js';
import { IoSender } from './sender.js';
import { ShardSubscribers } from './shard-subscribers.js';
import type { IoCluster, IoCommandClass, IoEmitter } from './types.js';

// A node of the cluster failed or left: a shard subscriber may be on it.
const CLUSTER_EVENTS = ['-node', 'node error'] as const;

/**
 * An ioredis `Redis.Cluster`: commands routed by the adapter's first key, SCAN
 * on every master, sharded pub/sub (SSUBSCRIBE / SPUBLISH) on connections the
 * adapter makes per shard ({@link ShardSubscribers}).
 */
export class IoClusterTransport implements Transport {
  readonly topology = 'cluster' as const;
  readonly publishCommand = 'SPUBLISH' as const;
  readonly mapError = mapIoredisError;
  readonly #sender: IoSender;
  readonly #interruptions = new InterruptionListeners((emit) => listenTo(this.cluster as unknown as Parameters<typeof listenTo>[0], CLUSTER_EVENTS, emit));
  readonly #shards: ShardSubscribers;

  constructor(
    private readonly cluster: IoCluster,
    private readonly Command: IoCommandClass,
    onError: (err: Error) => void,
    private readonly defaultTimeoutMs: number,
  ) {
    this.#sender = new IoSender(cluster, Command, defaultTimeoutMs, true);
    this.#shards = new ShardSubscribers(cluster, onError, () => this.#interruptions.emit());
  }

  abortMeansTimeout(): boolean {
    return false;
  }

  send(args: (string | Buffer)[], firstKey: string | Buffer | undefined, options: SendOptions): Promise<unknown> {
    return this.#sender.send(args, firstKey, options);
  }

  sendBatch(items: readonly BatchItem[], options: SendOptions): Promise<PromiseSettledResult<unknown>[]> {
    return this.#sender.sendBatch(items, options);
  }

  async *scan(match: string | undefined, count: number, type: string | undefined): AsyncIterable<string[]> {
    for (const master of this.cluster.nodes('master')) {
      yield* scanNode(new IoSender(master as IoEmitter, this.Command, this.defaultTimeoutMs, false), match, count, type);
    }
  }

  onInterruption(listener: () => void): () => void {
    return this.#interruptions.add(listener);
  }

  subscribe(channel: string, listener: RawListener): Promise<void> {
    return this.#shards.subscribe(channel, listener);
  }

  unsubscribe(channel: string): Promise<void> {
    return this.#shards.unsubscribe(channel);
  }

  async close(ownsMain: boolean): Promise<void> {
    await this.#shards.close();
    if (ownsMain && this.cluster.status !== 'end') await this.cluster.quit().catch(() => this.cluster.disconnect());
  }
}
