import type { RawListener } from '../node-redis/transport.js';
import { hashSlot } from '../slot.js';
import { IoSubscriber } from './subscriber.js';
import type { IoCluster, IoRedis } from './types.js';

/** Reconnect attempts of a shard subscriber before its channels move to the slot's current master. */
const SHARD_RECONNECTS = 3;

const nodeKey = (node: IoRedis) => `${node.options.host}:${node.options.port}`;

/**
 * Sharded pub/sub on an ioredis cluster, on connections the adapter makes and
 * closes: one SSUBSCRIBE connection per master that owns a subscribed channel's
 * slot (a duplicate of the cluster's own connection to that master). When a
 * shard connection gives up (its master died and a replica took over), its
 * channels are subscribed again on the slot's new master, after the cluster
 * refreshed its slot map.
 */
export class ShardSubscribers {
  readonly #shards = new Map<string, Promise<IoSubscriber>>();
  readonly #channels = new Map<string, { listener: RawListener; shard: string }>();
  #closed = false;

  constructor(
    private readonly cluster: IoCluster,
    private readonly onError: (err: Error) => void,
    private readonly onTrouble: () => void,
  ) {}

  async subscribe(channel: string, listener: RawListener): Promise<void> {
    const key = this.#ownerOf(channel);
    this.#channels.set(channel, { listener, shard: key });
    try {
      await (await this.#shard(key)).subscribe(channel, listener);
    } catch (err) {
      if (this.#channels.get(channel)?.listener === listener) this.#channels.delete(channel);
      throw err;
    }
  }

  async unsubscribe(channel: string): Promise<void> {
    const entry = this.#channels.get(channel);
    if (!entry) return;
    this.#channels.delete(channel);
    const sub = await this.#shards.get(entry.shard)?.catch(() => undefined);
    await sub?.unsubscribe(channel);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#channels.clear();
    const shards = [...this.#shards.values()];
    this.#shards.clear();
    await Promise.all(shards.map(async (s) => (await s.catch(() => undefined))?.close()));
  }

  /** The `host:port` of the master that owns the channel's slot. */
  #ownerOf(channel: string): string {
    const owner = this.cluster.slots[hashSlot(channel)]?.[0];
    if (owner !== undefined) return owner;
    const master = this.cluster.nodes('master')[0];
    if (!master) throw new Error('the cluster has no known master');
    return nodeKey(master);
  }

  #shard(key: string): Promise<IoSubscriber> {
    const known = this.#shards.get(key);
    if (known) return known;
    const node = this.cluster.nodes('master').find((n) => nodeKey(n) === key) ?? this.cluster.nodes('all').find((n) => nodeKey(n) === key);
    if (!node) return Promise.reject(new Error(`no connection to cluster node ${key}`));
    const pending = IoSubscriber.open(
      node,
      true,
      { onError: this.onError, onTrouble: this.onTrouble, onEnd: () => this.#lost(key, pending) },
      {
        readOnly: false,
        retryStrategy: (times: number) => (times > SHARD_RECONNECTS ? null : Math.min(100 * times, 1_000)),
      },
    );
    this.#shards.set(key, pending);
    pending.catch(() => {
      if (this.#shards.get(key) === pending) this.#shards.delete(key);
    });
    return pending;
  }

  /** A shard connection ended: move its channels to their slots' current masters. */
  #lost(key: string, pending: Promise<IoSubscriber>): void {
    if (this.#shards.get(key) === pending) this.#shards.delete(key);
    if (this.#closed) return;
    this.onTrouble();
    void this.#rehome(key, 0);
  }

  async #rehome(lostKey: string, attempt: number): Promise<void> {
    if (this.#closed) return;
    await new Promise<void>((resolve) => this.cluster.refreshSlotsCache(() => resolve()));
    const moving = [...this.#channels].filter(([, e]) => e.shard === lostKey);
    let failed = false;
    for (const [channel, entry] of moving) {
      if (this.#closed || this.#channels.get(channel) !== entry) continue;
      try {
        const key = this.#ownerOf(channel);
        entry.shard = key;
        await (await this.#shard(key)).subscribe(channel, entry.listener);
      } catch {
        entry.shard = lostKey;
        failed = true;
      }
    }
    if (failed && !this.#closed) {
      setTimeout(() => void this.#rehome(lostKey, attempt + 1), Math.min(100 * 2 ** Math.min(attempt, 5), 2_000)).unref();
    } else if (moving.length > 0) {
      this.onTrouble(); // moved: messages published in between may be lost
    }
  }
}
