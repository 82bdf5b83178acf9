import { randomBytes } from 'node:crypto';
import { lock as scripts } from '@x/lua-scripts';
import type { RedisAdapter, Subscription } from '@x/redis-adapter';
import type { AttemptMode, AttemptResult, LockBackend, LockTarget, QueueState, RefreshResult, RenewResult } from './backend.js';
import { lockKeys, type LockKeys } from './keys.js';
import { WaitQueue, type GrantFeed, type QueueTiming } from './wait-queue.js';

/** A lock name on Redis: its keys and channel. */
export interface RedisLockTarget extends LockTarget {
  readonly keys: LockKeys;
  readonly fenceTtlMs: number;
  /** The KEYS of the acquire script, built once per lock object. */
  readonly acquireKeys: readonly string[];
  /** The KEYS of the acquire, release and queue-refresh scripts (the same four). */
}

/** How long a channel stays subscribed after its last waiter left (saves SUBSCRIBE churn under steady contention). */
const LINGER_MS = 2_000;

/**
 * The queue entry of a waiting acquisition lives this long after its last refresh: a
 * waiter that died (killed process, lost network) is skipped once it expired.
 */
export const QUEUE_ENTRY_TTL_MS = 6_000;

/** Timing of the Redis queue: one refresh per lock name and process every 2 s (at most one a second). */
export const REDIS_QUEUE_TIMING: QueueTiming = Object.freeze({ refreshMs: 2_000, minGapMs: 1_000 });

const MODE = { try: '0', reenter: '1', wait: '2' } as const;

let nextAdapterId = 0;
const adapterIds = new WeakMap<RedisAdapter, number>();
const backends = new WeakMap<RedisAdapter, RedisBackend>();

/** The one backend (and so the one set of wait queues) per adapter. */
export function redisBackendFor(adapter: RedisAdapter): RedisBackend {
  let backend = backends.get(adapter);
  if (!backend) {
    backend = new RedisBackend(adapter);
    backends.set(adapter, backend);
  }
  return backend;
}

function toInt(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n)) throw new TypeError(`unexpected reply from a lock script: ${String(value)}`);
  return n;
}

class ChannelFeed implements GrantFeed {
  #sub: Subscription | undefined;

  constructor(
    private readonly adapter: RedisAdapter,
    private readonly channel: string,
  ) {}

  async start(onGrant: (owner: string, fencingToken: number) => void, onResync: () => void): Promise<void> {
    this.#sub = await this.adapter.subscribe(
      this.channel,
      (message) => {
        // "<owner>:<fencingToken>" (owner tokens are UUIDs: no colon).
        const at = message.lastIndexOf(':');
        const token = Number(message.slice(at + 1));
        if (at > 0 && Number.isSafeInteger(token)) onGrant(message.slice(0, at), token);
      },
      { onResync },
    );
  }

  async stop(): Promise<void> {
    const sub = this.#sub;
    this.#sub = undefined;
    await sub?.unsubscribe().catch(() => undefined);
  }
}

/** Locks on Redis through the `@x/redis-adapter` port; every operation is one script call. */
export class RedisBackend implements LockBackend<RedisLockTarget> {
  readonly kind = 'redis' as const;
  readonly adapter: RedisAdapter;
  readonly #id: number;
  readonly #queues = new Map<string, WaitQueue>();
  /**
   * The announcement command, known once the adapter's topology is final: an adapter made from
   * a URL learns at connect whether the server is a cluster node (see `adapter.ready()`).
   */
  #publishCommand: 'PUBLISH' | 'SPUBLISH' | undefined;
  /**
   * This backend's inbox: hand-offs to its waiters are announced on `<channel>:<inbox>`, so a
   * release wakes the one process (and client) whose waiter is next, nobody else.
   */
  readonly inbox = randomBytes(6).toString('hex');

  constructor(adapter: RedisAdapter) {
    this.adapter = adapter;
    let id = adapterIds.get(adapter);
    if (id === undefined) {
      id = ++nextAdapterId;
      adapterIds.set(adapter, id);
    }
    this.#id = id;
  }

  /** `SPUBLISH` on a cluster, else `PUBLISH`, once `adapter.ready()` has settled the topology. */
  async #resolvePublish(): Promise<'PUBLISH' | 'SPUBLISH'> {
    await this.adapter.ready();
    this.#publishCommand = this.adapter.topology === 'cluster' ? 'SPUBLISH' : 'PUBLISH';
    return this.#publishCommand;
  }

  target(name: string, prefix: string, fenceTtlMs: number): RedisLockTarget {
    const keys = lockKeys(prefix, name);
    return {
      name,
      scopeKey: `redis:${this.#id}:${keys.lock}`,
      keys,
      fenceTtlMs,
      acquireKeys: [keys.lock, keys.fence, keys.queue, keys.waiters],
    };
  }

  async attempt(target: RedisLockTarget, owner: string, ttlMs: number, mode: AttemptMode, grantLeaseMs: number): Promise<AttemptResult> {
    const publish = this.#publishCommand ?? (await this.#resolvePublish());
    const reply = await this.adapter.runScript<[unknown, unknown]>(scripts.acquire, {
      keys: target.acquireKeys,
      args: [owner, ttlMs, target.fenceTtlMs, MODE[mode], QUEUE_ENTRY_TTL_MS, grantLeaseMs, target.keys.channel, publish, this.inbox],
    });
    const status = toInt(reply[0]);
    if (status === 1) return { kind: 'acquired', fencingToken: toInt(reply[1]) };
    if (status === 2) return { kind: 'reentered' };
    if (status === 0) return { kind: 'held', pttlMs: toInt(reply[1]) };
    return { kind: 'not-owner' };
  }

  async renew(target: RedisLockTarget, owner: string, ttlMs: number): Promise<RenewResult> {
    const reply = toInt(await this.adapter.runScript(scripts.renew, { keys: [target.keys.lock], args: [owner, ttlMs] }));
    return reply === 1 ? 'renewed' : reply === 0 ? 'gone' : 'other-owner';
  }

  async release(target: RedisLockTarget, owner: string): Promise<boolean> {
    const publish = this.#publishCommand ?? (await this.#resolvePublish());
    const reply = await this.adapter.runScript(scripts.release, {
      keys: target.acquireKeys,
      args: [owner, target.fenceTtlMs, target.keys.channel, publish],
    });
    return toInt(reply) !== 0;
  }

  async refresh(target: RedisLockTarget, owners: readonly string[]): Promise<RefreshResult> {
    const publish = this.#publishCommand ?? (await this.#resolvePublish());
    const reply = await this.adapter.runScript<unknown[]>(scripts.queueRefresh, {
      keys: target.acquireKeys,
      args: [QUEUE_ENTRY_TTL_MS, target.fenceTtlMs, target.keys.channel, publish, ...owners],
    });
    return { pttlMs: toInt(reply[0]), states: reply.slice(1).map((s) => toInt(s) as QueueState) };
  }

  waitQueue(target: RedisLockTarget): WaitQueue {
    const channel = target.keys.channel;
    let queue = this.#queues.get(channel);
    if (!queue) {
      queue = new WaitQueue(
        new ChannelFeed(this.adapter, `${channel}:${this.inbox}`),
        (owners) => this.refresh(target, owners),
        REDIS_QUEUE_TIMING,
        LINGER_MS,
        (q) => {
          if (this.#queues.get(channel) === q) this.#queues.delete(channel);
        },
      );
      this.#queues.set(channel, queue);
    }
    return queue;
  }

  existingQueue(target: RedisLockTarget): WaitQueue | undefined {
    return this.#queues.get(target.keys.channel);
  }

  /** Stops every subscription this backend holds (used when the lock owns and closes the adapter). */
  async close(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((q) => q.close()));
  }
}
