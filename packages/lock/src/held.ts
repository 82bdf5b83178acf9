import type { LockBackend, LockTarget } from './backend.js';
import { LockLostError, LockNotHeldError, type LockLostReason } from './errors.js';
import { callQuietly, type LockEvents, type LockStats } from './events.js';
import { checkGuardOptions, type GuardOptions, type ResolvedLockOptions } from './options.js';
import { runInScope } from './scope.js';

const now = () => performance.now();

/** What an ownership needs from the lock that created it. */
export interface LockCore {
  readonly name: string;
  readonly options: ResolvedLockOptions;
  readonly backend: LockBackend;
  readonly target: LockTarget;
  readonly events: LockEvents;
  readonly stats: LockStats;
}

/**
 * A held lock: what `acquire`, `tryAcquire` and `withLock` hand out.
 * Dispose it (`await using`) or call `release()` exactly once.
 */
export interface HeldLock extends AsyncDisposable {
  /** The lock name. */
  readonly name: string;
  /**
   * The fencing token of this acquisition: strictly larger than every token
   * handed out for this name before (re-entries share their outer token).
   * A safe integer (microsecond-based, see the README).
   */
  readonly fencingToken: number;
  /**
   * Aborts when ownership is lost or about to be (reason: `LockLostError`),
   * before the lease can run out as seen from this process, and when this handle
   * is released (reason: `LockNotHeldError`). Reading `signal.aborted` also checks
   * the deadline, so it is right even after the event loop was blocked.
   */
  readonly signal: AbortSignal;
  /** True for a re-entry (a nested acquire in the same async scope). */
  readonly reentered: boolean;
  /** True while this handle is unreleased and the lease is safely ahead (checks the clock now). */
  isHeld(): boolean;
  /**
   * Releases this handle. The key itself is released when the last handle of the
   * acquisition (the outermost) is released. Resolves `true` if the lock was still
   * held up to this release, `false` if it had been lost or released already.
   * Rejects only when Redis could not be reached (the lease then runs out on its own).
   */
  release(): Promise<boolean>;
  /**
   * Renews the lease now (one round trip). Rejects with `LockLostError` when the
   * lock is not ours any more, `LockNotHeldError` when this handle was released.
   */
  renew(): Promise<void>;
  /**
   * Runs `fn` only while the lock is held: throws `LockNotHeldError` (or the
   * `LockLostError`) instead of calling it otherwise. With `verify: true` it first
   * confirms ownership in Redis (and extends the lease) in one round trip.
   */
  guard<T>(fn: (held: HeldLock) => T | Promise<T>, options?: GuardOptions): Promise<T>;
  /** Runs `fn` in this lock's re-entrancy scope: a nested acquire of the same lock inside re-enters. */
  run<T>(fn: () => T): T;
}

const abortedGetter = Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'aborted')!.get!;
const reasonGetter = Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'reason')!.get!;
const throwIfAborted = AbortSignal.prototype.throwIfAborted;

/** Makes `aborted`, `reason` and `throwIfAborted()` run `check` first, so they never report a stale lease. */
function watchSignal(signal: AbortSignal, check: () => void): AbortSignal {
  Object.defineProperties(signal, {
    aborted: {
      configurable: true,
      get(this: AbortSignal) {
        check();
        return abortedGetter.call(this) as boolean;
      },
    },
    reason: {
      configurable: true,
      get(this: AbortSignal) {
        check();
        return reasonGetter.call(this) as unknown;
      },
    },
    throwIfAborted: {
      configurable: true,
      writable: true,
      value(this: AbortSignal) {
        check();
        throwIfAborted.call(this);
      },
    },
  });
  return signal;
}

/** One acquisition of a lock (shared by its re-entries): the owner token, the lease, the watchdog. */
export class Ownership {
  readonly core: LockCore;
  readonly owner: string;
  readonly fencingToken: number;
  readonly ttlMs: number;
  readonly acquiredAt = now();
  state: 'held' | 'lost' | 'released' = 'held';
  lostError: LockLostError | undefined;
  depth = 0;
  renewals = 0;
  readonly #handles = new Set<Handle>();
  /** `performance.now()` time before which Redis cannot have expired the lease (send time of the last confirmed call + its lease). */
  #leaseEnd: number;
  /** Length of the current lease: the TTL, or the shorter lease of a hand-off from the queue until the first renewal. */
  #leaseMs: number;
  /** When the next automatic renewal is due (Infinity: none). */
  #renewDueAt = Infinity;
  #renewFailures = 0;
  /** One timer per acquisition, set to the earlier of the next renewal and the deadline. */
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;

  /**
   * `sentAt`: send time of a call that Redis ran before the lease began; `leaseMs`: the lease
   * it began with (the TTL, or the grant lease of a hand-off from the queue).
   */
  constructor(core: LockCore, owner: string, fencingToken: number, sentAt: number, leaseMs = core.options.ttlMs) {
    this.core = core;
    this.owner = owner;
    this.fencingToken = fencingToken;
    this.ttlMs = core.options.ttlMs;
    this.#leaseMs = leaseMs;
    this.#leaseEnd = sentAt + leaseMs;
    this.#planRenewal();
    this.#schedule();
  }

  /** When `held.signal` aborts unless a renewal is confirmed first. */
  get deadline(): number {
    return this.#leaseEnd - this.core.options.safetyMarginMs;
  }

  /** True while held and ahead of the deadline; declares the loss once the deadline has passed. */
  check(): boolean {
    if (this.state !== 'held') return false;
    if (now() >= this.deadline) {
      this.lose('expiring');
      return false;
    }
    return true;
  }

  /** A call sent at `sentAt` confirmed the lease (acquire, re-entry or renewal). */
  confirm(sentAt: number): void {
    if (this.state !== 'held') return;
    const leaseEnd = sentAt + this.ttlMs;
    if (leaseEnd > this.#leaseEnd) this.#leaseEnd = leaseEnd;
    this.#leaseMs = this.ttlMs;
    this.#schedule();
  }

  newHandle(reentered: boolean): Handle {
    const handle = new Handle(this, reentered);
    this.depth++;
    this.#handles.add(handle);
    return handle;
  }

  /**
   * Sets when the next automatic renewal is due: a third of the TTL (renewIntervalMs) after the
   * last confirmed one; a third of the lease into a shorter grant lease.
   */
  #planRenewal(): void {
    const { autoRenew, maxRenewals, renewIntervalMs } = this.core.options;
    const allowed = autoRenew && (maxRenewals <= 0 || this.renewals < maxRenewals);
    const interval = this.#leaseMs >= this.ttlMs ? renewIntervalMs : Math.max(1, Math.floor(this.#leaseMs / 3));
    this.#renewDueAt = allowed ? this.#leaseEnd - this.#leaseMs + interval : Infinity;
  }

  #schedule(): void {
    if (this.state !== 'held') return this.#clearTimer();
    const at = Math.min(this.deadline, this.#renewDueAt);
    if (this.#timer && this.#timerAt === at) return;
    this.#clearTimer();
    this.#timerAt = at;
    this.#timer = setTimeout(() => this.#onTimer(), Math.max(0, Math.ceil(at - now())));
    this.#timer.unref();
  }

  #onTimer(): void {
    this.#timer = undefined;
    if (!this.check()) return;
    if (now() >= this.#renewDueAt) {
      this.#renewDueAt = Infinity;
      void this.#autoRenew();
    }
    this.#schedule();
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #autoRenew(): Promise<void> {
    try {
      await this.renewNow();
      this.#renewFailures = 0;
      this.#planRenewal();
      this.#schedule();
    } catch (error) {
      if (this.state !== 'held') return;
      // Transient: retry with backoff while a retry can still land before the deadline.
      const base = Math.min(100, Math.max(5, Math.floor(this.ttlMs / 30)));
      const delay = Math.min(base * 2 ** this.#renewFailures, 1000);
      const willRetry = now() + delay < this.deadline;
      this.#renewFailures++;
      this.core.stats.renewFailures++;
      this.core.events.emit('renewFailed', {
        name: this.core.name,
        fencingToken: this.fencingToken,
        error,
        willRetry,
      });
      if (willRetry) this.#renewDueAt = now() + delay;
      this.#schedule();
    }
  }

  /**
   * One renewal round trip. Resolves when extended; rejects with `LockLostError`
   * when Redis says we are not the owner (the loss is declared), or with the
   * transport error (nothing declared: the caller decides).
   */
  async renewNow(): Promise<void> {
    if (this.state === 'lost') throw this.lostError!;
    if (this.state === 'released') throw new LockNotHeldError(this.core.name, 'already released');
    const sentAt = now();
    const result = await this.core.backend.renew(this.core.target, this.owner, this.ttlMs);
    const state = this.state as Ownership['state'];
    if (state === 'lost') {
      // We gave up (deadline) while this renewal was in flight and it still extended
      // the lease: hand the key back so nobody waits a whole lease for a holder that stopped.
      if (result === 'renewed') this.#releaseQuietly();
      throw this.lostError!;
    }
    if (state === 'released') throw new LockNotHeldError(this.core.name, 'released while renewing');
    if (result !== 'renewed') {
      this.lose('not-owner');
      throw this.lostError!;
    }
    this.renewals++;
    this.core.stats.renewals++;
    this.confirm(sentAt);
    if (this.core.events.has('renewed')) {
      this.core.events.emit('renewed', { name: this.core.name, fencingToken: this.fencingToken, renewals: this.renewals });
    }
  }

  #releaseQuietly(): void {
    this.core.backend.release(this.core.target, this.owner).then(
      (released) => {
        if (released) this.core.stats.releases++;
      },
      () => undefined,
    );
  }

  /** Declares the loss: aborts every handle's signal (before anything else runs), emits `lost`, calls `onLost`. */
  lose(reason: LockLostReason, cause?: unknown): void {
    if (this.state !== 'held') return;
    this.state = 'lost';
    this.#clearTimer();
    const error = new LockLostError(this.core.name, this.fencingToken, reason, cause === undefined ? undefined : { cause });
    this.lostError = error;
    for (const handle of this.#handles) handle.abort(error);
    this.core.stats.losses++;
    this.core.events.emit('lost', { name: this.core.name, fencingToken: this.fencingToken, error });
    callQuietly(this.core.options.onLost, error);
  }

  /** A handle was released; the last one releases the key. */
  async handleReleased(handle: Handle): Promise<boolean> {
    this.#handles.delete(handle);
    this.depth--;
    const heldMs = now() - this.acquiredAt;
    const { name } = this.core;
    if (this.depth > 0) {
      if (this.core.events.has('released')) this.core.events.emit('released', { name, fencingToken: this.fencingToken, physical: false, heldMs });
      return this.check();
    }
    if (this.state === 'released') return false;
    const wasHeld = this.check();
    const wasLost = this.state === 'lost';
    this.state = 'released';
    // Token-checked, so it is harmless when the lock was lost; it frees the key early when
    // we gave up before the lease ran out.
    const releasing = this.core.backend.release(this.core.target, this.owner);
    // The watchdog timer is cleared once the release is on its way (its callback does nothing
    // now that the state is 'released'): clearing it first delayed the hand-off to the next holder.
    this.#clearTimer();
    const released = await releasing;
    if (released) {
      this.core.stats.releases++;
      if (this.core.events.has('released')) this.core.events.emit('released', { name, fencingToken: this.fencingToken, physical: true, heldMs });
    } else if (!wasLost) {
      // The lease was gone before we knew it (the key expired or was taken over).
      const error = new LockLostError(name, this.fencingToken, 'not-owner');
      this.lostError = error;
      this.core.stats.losses++;
      this.core.events.emit('lost', { name, fencingToken: this.fencingToken, error });
      callQuietly(this.core.options.onLost, error);
    }
    return wasHeld && released;
  }
}

/** One handle of an ownership (the outer acquisition or a re-entry). */
export class Handle implements HeldLock {
  readonly ownership: Ownership;
  readonly reentered: boolean;
  // The controller is made on first use of `signal`: most critical sections never read it,
  // and an AbortSignal (plus its abort event) is a good part of an acquire's client-side cost.
  #controller: AbortController | undefined;
  #signal: AbortSignal | undefined;
  #abortReason: Error | undefined;
  #released = false;

  constructor(ownership: Ownership, reentered: boolean) {
    this.ownership = ownership;
    this.reentered = reentered;
  }

  get signal(): AbortSignal {
    if (!this.#signal) {
      this.#controller = new AbortController();
      this.#signal = watchSignal(this.#controller.signal, () => {
        if (!this.#released) this.ownership.check();
      });
      if (this.#abortReason) this.#controller.abort(this.#abortReason);
      else if (this.#released) this.abort(new LockNotHeldError(this.name, 'released'));
    }
    return this.#signal;
  }

  get name(): string {
    return this.ownership.core.name;
  }

  get fencingToken(): number {
    return this.ownership.fencingToken;
  }

  get released(): boolean {
    return this.#released;
  }

  /** Aborts this handle's signal (no-op when already aborted). */
  abort(reason: Error): void {
    if (this.#abortReason) return;
    this.#abortReason = reason;
    this.#controller?.abort(reason);
  }

  isHeld(): boolean {
    return !this.#released && this.ownership.check();
  }

  #notHeld(): Error {
    if (this.ownership.state === 'lost') return this.ownership.lostError!;
    return new LockNotHeldError(this.name, this.#released ? 'this handle was released' : 'the lock is not held');
  }

  async release(): Promise<boolean> {
    if (this.#released) return false;
    this.#released = true;
    const released = this.ownership.handleReleased(this);
    // Stop whatever listens to the signal before the key can go to someone else: the release
    // script is handed to the client above, but no other owner can get the key before its reply
    // (a round trip) while this runs now. Only a signal that was read gets a reason built.
    if (this.#controller) this.abort(new LockNotHeldError(this.name, 'released'));
    return released;
  }

  async renew(): Promise<void> {
    if (this.#released) throw this.#notHeld();
    await this.ownership.renewNow();
  }

  async guard<T>(fn: (held: HeldLock) => T | Promise<T>, options?: GuardOptions): Promise<T> {
    const { verify } = checkGuardOptions(fn, options, 'held.guard');
    if (!this.isHeld()) throw this.#notHeld();
    if (verify) await this.renew();
    if (!this.isHeld()) throw this.#notHeld();
    return this.run(() => fn(this));
  }

  run<T>(fn: () => T): T {
    return runInScope(this.ownership.core.target.scopeKey, this, fn);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    try {
      await this.release();
    } catch (error) {
      // Disposal never throws (it would replace or wrap the block's own error); the lease runs out.
      const { core, fencingToken } = this.ownership;
      core.events.emit('releaseFailed', { name: core.name, fencingToken, error });
    }
  }
}
