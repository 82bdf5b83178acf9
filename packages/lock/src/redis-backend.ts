import { lock as scripts } from '@x/lua-scripts';
import type { RedisAdapter, Subscription } from '@x/redis-adapter';
import type { AttemptResult, LockBackend, LockTarget, RenewResult } from './backend.js';
import { lockKeys, type LockKeys } from './keys.js';
import { WaitQueue, type ReleaseFeed } from './wait-queue.js';

/** A lock name on Redis: its keys and channel. */
export interface RedisLockTarget extends LockTarget {
  readonly keys: LockKeys;
  readonly fenceTtlMs: number;
}

/** How long a channel stays subscribed after its last waiter left (saves SUBSCRIBE churn under steady contention). */
const LINGER_MS = 2_000;

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

class ChannelFeed implements ReleaseFeed {
  #sub: Subscription | undefined;

  constructor(
    private readonly adapter: RedisAdapter,
    private readonly channel: string,
  ) {}

  async start(onRelease: () => void, onResync: () => void): Promise<void> {
    this.#sub = await this.adapter.subscribe(this.channel, () => onRelease(), { onResync });
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

  constructor(adapter: RedisAdapter) {
    this.adapter = adapter;
    let id = adapterIds.get(adapter);
    if (id === undefined) {
      id = ++nextAdapterId;
      adapterIds.set(adapter, id);
    }
    this.#id = id;
  }

  target(name: string, prefix: string, fenceTtlMs: number): RedisLockTarget {
    const keys = lockKeys(prefix, name);
    return { name, scopeKey: `redis:${this.#id}:${keys.lock}`, keys, fenceTtlMs };
  }

  async attempt(target: RedisLockTarget, owner: string, ttlMs: number, reenter: boolean): Promise<AttemptResult> {
    const reply = await this.adapter.runScript<[unknown, unknown]>(scripts.acquire, {
      keys: [target.keys.lock, target.keys.fence],
      args: [owner, ttlMs, target.fenceTtlMs, reenter ? 1 : 0],
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
    const publish = this.adapter.topology === 'cluster' ? 'SPUBLISH' : 'PUBLISH';
    const reply = await this.adapter.runScript(scripts.release, {
      keys: [target.keys.lock],
      args: [owner, target.keys.channel, publish],
    });
    return toInt(reply) === 1;
  }

  waitQueue(target: RedisLockTarget): WaitQueue {
    const channel = target.keys.channel;
    let queue = this.#queues.get(channel);
    if (!queue) {
      queue = new WaitQueue(new ChannelFeed(this.adapter, channel), LINGER_MS, (q) => {
        if (this.#queues.get(channel) === q) this.#queues.delete(channel);
      });
      this.#queues.set(channel, queue);
    }
    return queue;
  }

  /** Stops every subscription this backend holds (used when the lock owns and closes the adapter). */
  async close(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((q) => q.close()));
  }
}
