import { randomUUID } from 'node:crypto';
import {
  ClosedError,
  ConnectionClosedError,
  InvalidArgumentError,
  RedisPrimitiveError,
  checkId,
  isRetryable,
  checkOneOf,
  withRetry,
  type RedisAdapter,
  type RedisInput,
} from '@x/redis-adapter';
import type { AttemptMode, AttemptResult, LockBackend, LockTarget } from './backend.js';
import { AbortError, LockNotHeldError, LockTimeoutError } from './errors.js';
import { LOCK_EVENT_NAMES, LockEvents, emptyStats, type LockEventName, type LockListener, type LockStats } from './events.js';
import { Ownership, type Handle, type HeldLock, type LockCore } from './held.js';
import { memoryBackend } from './memory-backend.js';
import {
  checkAcquireOptions,
  checkGuardOptions,
  checkTryAcquireOptions,
  resolveLockOptions,
  type TryAcquireOptions,
  type AcquireOptions, type GuardOptions, type LockOptions, type ResolvedLockOptions } from './options.js';
import { redisBackendFor } from './redis-backend.js';
import { adapterFor } from './adapter.js';
import { scopedHandle } from './scope.js';
import type { WaitQueue, WakeReason, Waiter } from './wait-queue.js';

const now = () => performance.now();

/** After a transient error, a waiter's attempt is retried this soon. */
const DEGRADED_RETRY_MS = 100;

/** A distributed (or, without Redis, in-process) lock for one name. Create it with {@link createLock}. */
export interface Lock extends AsyncDisposable {
  /** The lock name. */
  readonly name: string;
  /** Where it lives: `'redis'` or `'memory'` (in-process, when no Redis was given). */
  readonly kind: 'redis' | 'memory';
  /** Counters of this lock object. */
  readonly stats: Readonly<LockStats>;
  /** The options in force, defaults filled in. */
  readonly options: Readonly<ResolvedLockOptions>;
  /**
   * Acquires the lock, waiting without polling while someone else holds it.
   * In a scope that already holds it (`withLock`, `held.run`), re-enters instead.
   * Rejects with `LockTimeoutError` after `timeoutMs`, `AbortError` when `signal`
   * aborts, `LockLostError` when re-entering a lock the scope has lost.
   */
  acquire(options?: AcquireOptions): Promise<HeldLock>;
  /**
   * One attempt, never waits: the handle, or `null` when someone else holds the lock.
   * Takes no options; passing any (say `{ timeoutMs }`) throws `UnknownOptionError`.
   */
  tryAcquire(options?: TryAcquireOptions): Promise<HeldLock | null>;
  /**
   * Acquires, runs `fn` in the lock's re-entrancy scope, releases. Returns what
   * `fn` returns or rethrows what it throws; a failing release never replaces
   * either (it is reported on the `releaseFailed` event).
   */
  withLock<T>(fn: (held: HeldLock) => T | Promise<T>, options?: AcquireOptions): Promise<T>;
  /**
   * Runs `fn` only if the current async scope holds this lock (inside `withLock` /
   * `held.run`); otherwise throws `LockNotHeldError` (or the `LockLostError`).
   */
  guard<T>(fn: (held: HeldLock) => T | Promise<T>, options?: GuardOptions): Promise<T>;
  /** The handle the current async scope holds for this lock, if any. */
  current(): HeldLock | undefined;
  /**
   * Subscribes to an event; returns the function that unsubscribes. An event name
   * not in {@link LOCK_EVENT_NAMES} (say `'aquired'`) throws `InvalidArgumentError`.
   */
  on<E extends LockEventName>(event: E, listener: LockListener<E>): () => void;
  /**
   * Rejects this object's pending waits and, if the lock created its Redis
   * connection (from a URL or settings), closes it. Held locks are not released.
   */
  close(): Promise<void>;
}

/** The shortest lease a hand-off from the queue starts with (see {@link grantLeaseFor}). */
export const MIN_GRANT_LEASE_MS = 2_000;

/**
 * The lease a lock handed to a waiter starts with: `min(ttlMs, max(2 s, 3 x safetyMarginMs))`
 * (4.5 s with the defaults), renewed to the full TTL a third of the way in. A waiter that died
 * after its last queue refresh and is handed the lock holds it no longer than this. Without
 * auto-renewal, the full TTL.
 */
export function grantLeaseFor(options: ResolvedLockOptions): number {
  if (!options.autoRenew) return options.ttlMs;
  return Math.min(options.ttlMs, Math.max(MIN_GRANT_LEASE_MS, 3 * options.safetyMarginMs));
}

class LockImpl implements Lock, LockCore {
  readonly name: string;
  readonly options: ResolvedLockOptions;
  readonly backend: LockBackend;
  readonly target: LockTarget;
  readonly kind: 'redis' | 'memory';
  readonly events = new LockEvents();
  readonly stats: LockStats = emptyStats();
  readonly #ownedAdapter: RedisAdapter | undefined;
  readonly #cancels = new Set<(error: Error) => void>();
  /** The lease the lock gets when the queue hands it to one of our waiters (see {@link grantLeaseFor}). */
  readonly #grantLeaseMs: number;
  #closed = false;

  constructor(backend: LockBackend, name: string, options: ResolvedLockOptions, ownedAdapter: RedisAdapter | undefined) {
    this.name = name;
    this.options = options;
    this.backend = backend;
    this.kind = backend.kind;
    this.target = backend.target(name, options.prefix, options.fenceTtlMs);
    this.#grantLeaseMs = grantLeaseFor(options);
    this.#ownedAdapter = ownedAdapter;
  }

  on<E extends LockEventName>(event: E, listener: LockListener<E>): () => void {
    checkOneOf(event, 'event', LOCK_EVENT_NAMES);
    if (typeof listener !== 'function') throw new InvalidArgumentError('listener must be a function', { argument: 'listener' });
    return this.events.on(event, listener);
  }

  current(): HeldLock | undefined {
    const handle = scopedHandle(this.target.scopeKey);
    return handle && handle.ownership.state === 'held' ? handle : undefined;
  }

  /** How `ClosedError` names this object: `Lock "name"`. */
  get #objectName(): string {
    return `Lock ${JSON.stringify(this.name)}`;
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError(this.#objectName);
  }

  #grant(owner: string, fencingToken: number, sentAt: number, waitedMs: number, leaseMs?: number): Handle {
    this.stats.acquisitions++;
    const ownership = new Ownership(this, owner, fencingToken, sentAt, leaseMs);
    const handle = ownership.newHandle(false);
    if (this.events.has('acquired')) this.events.emit('acquired', { name: this.name, fencingToken, reentered: false, waitedMs });
    return handle;
  }

  #attempt(owner: string, mode: AttemptMode): Promise<AttemptResult> {
    this.stats.attempts++;
    return this.backend.attempt(this.target, owner, this.options.ttlMs, mode, this.#grantLeaseMs);
  }

  /**
   * The first attempt of an acquisition, under the `retry` policy: every try
   * sends the same owner token (the script grants a lock this owner already
   * took), and the lease counts from the send of the try that answered.
   */
  async #firstAttempt(owner: string, mode: AttemptMode): Promise<{ result: AttemptResult; sentAt: number }> {
    let sentAt = now();
    // Without a policy (the default), no wrapper on the hot path.
    if (!this.options.retry) return { result: await this.#attempt(owner, mode), sentAt };
    const result = await withRetry(this.options.retry, () => {
      this.#assertOpen();
      sentAt = now();
      return this.#attempt(owner, mode);
    });
    return { result, sentAt };
  }

  /** Re-enters the scope's ownership, or returns undefined when the scope does not hold this lock. */
  async #reenter(): Promise<Handle | undefined> {
    const scoped = scopedHandle(this.target.scopeKey);
    if (!scoped) return undefined;
    const ownership = scoped.ownership;
    if (ownership.state === 'released') return undefined;
    if (!ownership.check()) throw ownership.lostError!;
    const sentAt = now();
    this.stats.attempts++;
    const result = await this.backend.attempt(this.target, ownership.owner, ownership.ttlMs, 'reenter', this.#grantLeaseMs);
    if (result.kind !== 'reentered') {
      ownership.lose('not-owner');
      if (ownership.state === 'lost') throw ownership.lostError!;
      throw new LockNotHeldError(this.name, 'the scope released the lock while re-entering');
    }
    if (ownership.state !== 'held') {
      if (ownership.state === 'lost') throw ownership.lostError!;
      throw new LockNotHeldError(this.name, 'the scope released the lock while re-entering');
    }
    ownership.confirm(sentAt);
    this.stats.reentries++;
    const handle = ownership.newHandle(true);
    if (this.events.has('acquired')) {
      this.events.emit('acquired', { name: this.name, fencingToken: ownership.fencingToken, reentered: true, waitedMs: 0 });
    }
    return handle;
  }

  async tryAcquire(options?: TryAcquireOptions): Promise<HeldLock | null> {
    checkTryAcquireOptions(options);
    this.#assertOpen();
    if (scopedHandle(this.target.scopeKey)) {
      const reentered = await this.#reenter();
      if (reentered) return reentered;
    }
    const owner = randomUUID();
    const { result, sentAt } = await this.#firstAttempt(owner, 'try');
    if (result.kind === 'acquired') return this.#grant(owner, result.fencingToken, sentAt, 0);
    return null;
  }

  async acquire(options?: AcquireOptions): Promise<HeldLock> {
    const { timeoutMs, signal } = checkAcquireOptions(options, this.options);
    this.#assertOpen();
    if (signal?.aborted) throw new AbortError(undefined, { cause: signal.reason });
    if (scopedHandle(this.target.scopeKey)) {
      const reentered = await this.#reenter();
      if (reentered) return reentered;
    }
    const owner = randomUUID();
    // Hand-offs for this name already reach us only if the queue was live before the attempt was sent.
    const liveAtSend = this.backend.existingQueue(this.target)?.live === true && this.kind === 'redis';
    const { result: first, sentAt } = await this.#firstAttempt(owner, timeoutMs === 0 ? 'try' : 'wait');
    if (first.kind === 'acquired') {
      if (signal?.aborted) {
        // The caller gave up while the (only) attempt was in flight: hand the lock straight back.
        void this.backend.release(this.target, owner).catch(() => undefined);
        throw new AbortError(undefined, { cause: signal.reason });
      }
      return this.#grant(owner, first.fencingToken, sentAt, 0);
    }
    if (timeoutMs === 0) {
      this.stats.timeouts++;
      throw new LockTimeoutError(this.name, 0);
    }
    return this.#wait(owner, first.kind === 'held' ? first.pttlMs : 0, liveAtSend, sentAt, timeoutMs, signal);
  }

  /**
   * Waits for the hand-off to `owner`, whose entry the first attempt (sent at `sentAt`)
   * queued. Sends nothing until the queue hands the lock to it (no round trip: the release
   * script made it the owner) or a queue refresh finds its entry gone (one attempt to claim
   * or rejoin).
   */
  #wait(owner: string, firstPttl: number, liveAtSend: boolean, sentAt: number, timeoutMs: number, signal: AbortSignal | undefined): Promise<Handle> {
    this.stats.waits++;
    const started = sentAt;
    return new Promise<Handle>((resolve, reject) => {
      const queue: WaitQueue = this.backend.waitQueue(this.target);
      const { ttlMs, safetyMarginMs } = this.options;
      const grantLeaseMs = this.#grantLeaseMs;
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      let busy = false;
      let pending: WakeReason | undefined;
      /** Send time of the last call that found our entry still queued: a hand-off to us came after it. */
      let confirmedAt = sentAt;

      const finish = (outcome: 'acquired' | 'timeout' | 'aborted' | 'error') => {
        settled = true;
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#cancels.delete(cancel);
        queue.leave(waiter);
        const waitedMs = now() - started;
        this.stats.waitMsTotal += waitedMs;
        if (outcome === 'timeout') this.stats.timeouts++;
        if (outcome === 'aborted') this.stats.aborts++;
        if (this.events.has('waited')) this.events.emit('waited', { name: this.name, waitedMs, outcome });
        return waitedMs;
      };
      const cancel = (error: Error) => {
        if (settled) return;
        finish(error instanceof LockTimeoutError ? 'timeout' : error instanceof AbortError ? 'aborted' : 'error');
        // Leave the queue at once; a hand-off to us that crossed this passes on to the next waiter.
        void this.backend.release(this.target, owner).catch(() => undefined);
        reject(error);
      };
      const onAbort = () => cancel(new AbortError(undefined, { cause: signal!.reason }));
      const acquired = (fencingToken: number, leaseSentAt: number, leaseMs: number) => {
        const waitedMs = finish('acquired');
        resolve(this.#grant(owner, fencingToken, leaseSentAt, waitedMs, leaseMs));
      };
      /** After a call settled: run the wake that arrived while it was in flight, if any. */
      const drain = () => {
        busy = false;
        if (settled || !pending) return;
        const again = pending;
        pending = undefined;
        void attempt(again);
      };
      const transient = (error: unknown): boolean => {
        if (!isRetryable(error)) {
          cancel(error instanceof Error ? error : new Error(String(error)));
          return false;
        }
        setTimeout(() => waiter.wake('retry'), DEGRADED_RETRY_MS).unref();
        return true;
      };

      const attempt = async (reason: WakeReason): Promise<void> => {
        busy = true;
        if (reason === 'refresh') this.stats.fallbackRetries++;
        else if (reason === 'resync') this.stats.resyncRetries++;
        const attemptSentAt = now();
        let result: AttemptResult;
        try {
          result = await this.#attempt(owner, 'wait');
        } catch (error) {
          busy = false;
          if (!settled) transient(error);
          return;
        }
        if (result.kind === 'acquired') {
          busy = false;
          // Settled: cancelled (give it straight back), or already handed to us (the same ownership).
          if (!settled) acquired(result.fencingToken, attemptSentAt, ttlMs);
          else if (!handedOver) void this.backend.release(this.target, owner).catch(() => undefined);
          return;
        }
        if (settled) return void (busy = false);
        confirmedAt = Math.max(confirmedAt, attemptSentAt);
        queue.seen(result.kind === 'held' ? result.pttlMs : 0);
        drain();
      };

      let handedOver = false;
      /** The release script made us the owner with `grantLeaseMs` (from some time after `confirmedAt`). */
      const granted = async (fencingToken: number): Promise<void> => {
        if (settled) return;
        // Enough of the grant lease is surely left: start now, without a round trip.
        if (now() < confirmedAt + grantLeaseMs - 2 * safetyMarginMs) {
          handedOver = true;
          acquired(fencingToken, confirmedAt, grantLeaseMs);
          return;
        }
        // We waited long since our entry was last confirmed: confirm the lease first (one round trip).
        busy = true;
        const renewSentAt = now();
        let renewed: boolean;
        try {
          renewed = (await this.backend.renew(this.target, owner, ttlMs)) === 'renewed';
        } catch (error) {
          busy = false;
          if (!settled) transient(error);
          return;
        }
        if (settled) {
          busy = false;
          if (renewed && !handedOver) void this.backend.release(this.target, owner).catch(() => undefined);
          return;
        }
        if (renewed) {
          busy = false;
          handedOver = true;
          acquired(fencingToken, renewSentAt, ttlMs);
          return;
        }
        // The grant lease ran out before we got to it: join again.
        busy = false;
        void attempt('refresh');
      };

      const waiter: Waiter = {
        owner,
        granted: (fencingToken) => {
          if (settled) return;
          if (busy) {
            // A call of ours is in flight; the hand-off is confirmed by an attempt after it.
            pending = 'retry';
            return;
          }
          void granted(fencingToken);
        },
        wake: (reason) => {
          if (settled) return;
          if (busy) {
            pending = reason;
            return;
          }
          void attempt(reason);
        },
        refreshSent: () => {
          this.stats.queueRefreshes++;
        },
        refreshed: (refreshSentAt, state, resyncing) => {
          if (settled) return;
          if (state === 1) confirmedAt = Math.max(confirmedAt, refreshSentAt);
          else if (state === 2 && !resyncing) {
            // Handed to us: the release published the announcement before this reply was written,
            // so it has usually arrived on the subscriber too. Let it settle the wait first (no
            // round trip, the token it carries); claim with an attempt only if it did not.
            setImmediate(() => waiter.wake('refresh'));
          } else waiter.wake(resyncing ? 'resync' : 'refresh');
        },
      };

      this.#cancels.add(cancel);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== Infinity) {
        const remaining = Math.max(0, timeoutMs - (now() - started));
        timer = setTimeout(() => cancel(new LockTimeoutError(this.name, timeoutMs)), remaining);
      }
      if (signal?.aborted) {
        // Aborted while the first attempt was in flight (before this listener existed).
        onAbort();
        return;
      }
      queue.join(waiter, firstPttl);
      if (!liveAtSend && !settled) {
        // A hand-off announced before we subscribed reached nobody: look once, after subscribing.
        void queue.ready().then(() => {
          if (!settled) queue.requestRefresh();
        });
      }
    });
  }

  async withLock<T>(fn: (held: HeldLock) => T | Promise<T>, options?: AcquireOptions): Promise<T> {
    if (typeof fn !== 'function') throw new InvalidArgumentError('withLock needs a function', { argument: 'fn' });
    checkAcquireOptions(options, this.options, 'withLock options');
    const held = await this.acquire(options);
    let result: T;
    try {
      result = await held.run(() => fn(held));
    } catch (error) {
      await this.#releaseQuietly(held);
      throw error;
    }
    await this.#releaseQuietly(held);
    return result;
  }

  async #releaseQuietly(held: HeldLock): Promise<void> {
    try {
      await held.release();
    } catch (error) {
      this.events.emit('releaseFailed', { name: this.name, fencingToken: held.fencingToken, error });
    }
  }

  async guard<T>(fn: (held: HeldLock) => T | Promise<T>, options?: GuardOptions): Promise<T> {
    checkGuardOptions(fn, options, 'lock.guard');
    const handle = scopedHandle(this.target.scopeKey);
    if (!handle) throw new LockNotHeldError(this.name, 'this async scope does not hold the lock');
    return handle.guard(fn, options);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const closed = new ClosedError(this.#objectName, { message: `${this.#objectName} was closed while waiting: create a new one` });
    for (const cancel of [...this.#cancels]) cancel(closed);
    if (this.#ownedAdapter) {
      await redisBackendFor(this.#ownedAdapter).close();
      await this.#ownedAdapter.close();
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Creates a lock for `name`.
 *
 * `redis` is a node-redis 6 client / cluster / sentinel you own (never closed by
 * the lock), an `@x/redis-adapter` adapter, a `redis://` URL or connection
 * settings (then `lock.close()` closes that connection), or `null` for an
 * in-process lock (real mutual exclusion within this process only).
 * `undefined` is refused (`InvalidArgumentError`): it is usually a client
 * variable that was never set, and silently locking in-process would then give
 * no cross-process exclusion at all.
 *
 * The name is any non-empty, well-formed string of at most `maxIdBytes` UTF-8
 * bytes (default 1024); options are strict (an unknown key throws
 * `UnknownOptionError` naming the nearest accepted one).
 *
 * Creating lock objects is cheap: every lock on the same client or adapter
 * shares one subscriber connection and one wait queue per name.
 */
export function createLock(redis: RedisInput | null, name: string, options?: LockOptions): Lock {
  if (redis === undefined) {
    throw new InvalidArgumentError(
      'createLock(redis, name): redis is undefined; pass a client, adapter, URL or settings, or null for an in-process lock',
      { argument: 'redis' },
    );
  }
  const resolved = resolveLockOptions(options);
  checkId(name, 'name', resolved.maxIdBytes);
  if (redis === null) return new LockImpl(memoryBackend, name, resolved, undefined);
  const { adapter, owned } = adapterFor(redis);
  return new LockImpl(redisBackendFor(adapter), name, resolved, owned ? adapter : undefined);
}

/** True for errors this package throws on purpose (`code` is stable). */
export function isLockError(error: unknown): error is RedisPrimitiveError {
  return error instanceof RedisPrimitiveError;
}
