import type { AttemptMode, AttemptResult, LockBackend, LockTarget, QueueState, RefreshResult, RenewResult } from './backend.js';
import { WaitQueue, type QueueTiming } from './wait-queue.js';

interface Entry {
  owner: string;
  expiresAt: number;
}

interface Slot {
  entry: Entry | undefined;
  /** Waiting owner tokens in arrival order (a Map keeps insertion order) -> their grant lease. */
  readonly queue: Map<string, number>;
}

const now = () => performance.now();
/** Microseconds since the epoch, the floor of in-process fencing tokens (as on Redis). */
const clockUs = () => Math.floor((performance.timeOrigin + performance.now()) * 1000);

/**
 * In-process waiters cannot die without the process, and leave the queue at once when
 * they give up: no periodic refresh, only a look when a lease or a reservation runs out.
 */
const MEMORY_QUEUE_TIMING: QueueTiming = Object.freeze({ refreshMs: Infinity, minGapMs: 0 });

/**
 * Locks that live in this process: real mutual exclusion between every lock
 * object of the same name (and prefix) in the process, with leases, fencing
 * tokens and the same queue rules as on Redis (first come, first served; a
 * release hands the lock to the first waiter directly). Nothing crosses processes.
 */
export class MemoryBackend implements LockBackend {
  readonly kind = 'memory' as const;
  readonly #slots = new Map<string, Slot>();
  readonly #lastToken = new Map<string, number>();
  readonly #queues = new Map<string, WaitQueue>();

  target(name: string, prefix: string): LockTarget {
    return { name, scopeKey: `memory:${prefix.length}:${prefix}:${name}` };
  }

  #slot(key: string): Slot {
    let slot = this.#slots.get(key);
    if (!slot) {
      slot = { entry: undefined, queue: new Map() };
      this.#slots.set(key, slot);
    }
    if (slot.entry && slot.entry.expiresAt <= now()) slot.entry = undefined;
    return slot;
  }

  #forget(key: string, slot: Slot): void {
    if (!slot.entry && slot.queue.size === 0) this.#slots.delete(key);
  }

  #mint(key: string): number {
    const fencingToken = Math.max((this.#lastToken.get(key) ?? 0) + 1, clockUs());
    this.#lastToken.set(key, fencingToken);
    return fencingToken;
  }

  /** Hands the free lock to the first waiter (minting its token) and tells its queue; false when nobody waits. */
  #grant(key: string, slot: Slot): boolean {
    const head = slot.queue.entries().next();
    if (head.done) return false;
    const [owner, leaseMs] = head.value;
    slot.queue.delete(owner);
    slot.entry = { owner, expiresAt: now() + leaseMs };
    const fencingToken = this.#mint(key);
    const queue = this.#queues.get(key);
    // Delivered after the current call returns, like a message.
    if (queue) queueMicrotask(() => queue.onGrant(owner, fencingToken));
    return true;
  }

  async attempt(target: LockTarget, owner: string, ttlMs: number, mode: AttemptMode, grantLeaseMs: number): Promise<AttemptResult> {
    // The same rules as lock/acquire.lua.
    const key = target.scopeKey;
    const slot = this.#slot(key);
    const entry = slot.entry;
    if (entry?.owner === owner) {
      entry.expiresAt = now() + ttlMs;
      if (mode === 'reenter') return { kind: 'reentered' };
      slot.queue.delete(owner);
      return { kind: 'acquired', fencingToken: this.#mint(key) };
    }
    if (mode === 'reenter') {
      if (entry) return { kind: 'held', pttlMs: Math.max(0, Math.ceil(entry.expiresAt - now())) };
      this.#forget(key, slot);
      return { kind: 'not-owner' };
    }
    if (!entry) {
      const head = slot.queue.keys().next();
      if (head.done || head.value === owner) {
        slot.queue.delete(owner);
        slot.entry = { owner, expiresAt: now() + ttlMs };
        return { kind: 'acquired', fencingToken: this.#mint(key) };
      }
      this.#grant(key, slot);
    }
    if (mode === 'wait') slot.queue.set(owner, grantLeaseMs);
    this.#forget(key, slot);
    return { kind: 'held', pttlMs: Math.max(0, Math.ceil(slot.entry!.expiresAt - now())) };
  }

  async renew(target: LockTarget, owner: string, ttlMs: number): Promise<RenewResult> {
    const slot = this.#slot(target.scopeKey);
    const entry = slot.entry;
    if (!entry) return 'gone';
    if (entry.owner !== owner) return 'other-owner';
    entry.expiresAt = now() + ttlMs;
    return 'renewed';
  }

  async release(target: LockTarget, owner: string): Promise<boolean> {
    const key = target.scopeKey;
    const slot = this.#slot(key);
    slot.queue.delete(owner);
    if (slot.entry?.owner !== owner) {
      this.#forget(key, slot);
      return false;
    }
    slot.entry = undefined;
    // The clock floor alone keeps the next token larger once it has passed the last one.
    if ((this.#lastToken.get(key) ?? 0) < clockUs()) this.#lastToken.delete(key);
    this.#grant(key, slot);
    this.#forget(key, slot);
    return true;
  }

  async refresh(target: LockTarget, owners: readonly string[]): Promise<RefreshResult> {
    const key = target.scopeKey;
    const slot = this.#slot(key);
    if (!slot.entry) this.#grant(key, slot);
    const entry = slot.entry as Entry | undefined;
    const states = owners.map((o): QueueState => (entry?.owner === o ? 2 : slot.queue.has(o) ? 1 : 0));
    const pttlMs = entry ? Math.max(0, Math.ceil(entry.expiresAt - now())) : -2;
    this.#forget(key, slot);
    return { pttlMs, states };
  }

  waitQueue(target: LockTarget): WaitQueue {
    const key = target.scopeKey;
    let queue = this.#queues.get(key);
    if (!queue) {
      queue = new WaitQueue(
        { start: async () => undefined, stop: async () => undefined },
        (owners) => this.refresh(target, owners),
        MEMORY_QUEUE_TIMING,
        0,
        (q) => {
          if (this.#queues.get(key) === q) this.#queues.delete(key);
        },
      );
      this.#queues.set(key, queue);
    }
    return queue;
  }

  existingQueue(target: LockTarget): WaitQueue | undefined {
    return this.#queues.get(target.scopeKey);
  }
}

/** The process-wide in-process backend used when no Redis is given. */
export const memoryBackend = new MemoryBackend();
