import type { AttemptResult, LockBackend, LockTarget, RenewResult } from './backend.js';
import { WaitQueue } from './wait-queue.js';

interface Entry {
  owner: string;
  fencingToken: number;
  expiresAt: number;
}

const now = () => performance.now();
/** Microseconds since the epoch, the floor of in-process fencing tokens (as on Redis). */
const clockUs = () => Math.floor((performance.timeOrigin + performance.now()) * 1000);

/**
 * Locks that live in this process: real mutual exclusion between every lock
 * object of the same name (and prefix) in the process, with leases, fencing
 * tokens and the same waiting rules as on Redis. Nothing crosses processes.
 */
export class MemoryBackend implements LockBackend {
  readonly kind = 'memory' as const;
  readonly #held = new Map<string, Entry>();
  readonly #lastToken = new Map<string, number>();
  readonly #queues = new Map<string, WaitQueue>();

  target(name: string, prefix: string): LockTarget {
    return { name, scopeKey: `memory:${prefix.length}:${prefix}:${name}` };
  }

  #current(key: string): Entry | undefined {
    const entry = this.#held.get(key);
    if (entry && entry.expiresAt <= now()) {
      this.#held.delete(key);
      return undefined;
    }
    return entry;
  }

  async attempt(target: LockTarget, owner: string, ttlMs: number, reenter: boolean): Promise<AttemptResult> {
    // The same rules as lock/acquire.lua.
    const key = target.scopeKey;
    const entry = this.#current(key);
    if (entry && entry.owner !== owner) return { kind: 'held', pttlMs: Math.max(0, Math.ceil(entry.expiresAt - now())) };
    if (entry && reenter) {
      entry.expiresAt = now() + ttlMs;
      return { kind: 'reentered' };
    }
    if (!entry && reenter) return { kind: 'not-owner' };
    const fencingToken = Math.max((this.#lastToken.get(key) ?? 0) + 1, clockUs());
    this.#lastToken.set(key, fencingToken);
    this.#held.set(key, { owner, fencingToken, expiresAt: now() + ttlMs });
    return { kind: 'acquired', fencingToken };
  }

  async renew(target: LockTarget, owner: string, ttlMs: number): Promise<RenewResult> {
    const entry = this.#current(target.scopeKey);
    if (!entry) return 'gone';
    if (entry.owner !== owner) return 'other-owner';
    entry.expiresAt = now() + ttlMs;
    return 'renewed';
  }

  async release(target: LockTarget, owner: string): Promise<boolean> {
    const entry = this.#current(target.scopeKey);
    if (entry?.owner !== owner) return false;
    this.#held.delete(target.scopeKey);
    // The clock floor alone keeps the next token larger once it has passed the last one.
    if ((this.#lastToken.get(target.scopeKey) ?? 0) < clockUs()) this.#lastToken.delete(target.scopeKey);
    this.#queues.get(target.scopeKey)?.notify();
    return true;
  }

  waitQueue(target: LockTarget): WaitQueue {
    const key = target.scopeKey;
    let queue = this.#queues.get(key);
    if (!queue) {
      queue = new WaitQueue({ start: async () => undefined, stop: async () => undefined }, 0, (q) => {
        if (this.#queues.get(key) === q) this.#queues.delete(key);
      });
      this.#queues.set(key, queue);
    }
    return queue;
  }
}

/** The process-wide in-process backend used when no Redis is given. */
export const memoryBackend = new MemoryBackend();
