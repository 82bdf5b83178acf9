/**
 * This process's view of the waiters of one lock name on one backend.
 *
 * The queue itself lives with the lock (in Redis: a sorted set under the lock's hash
 * tag), first come first served across every process. A release hands the lock to the
 * first live waiter only, inside the release script: that waiter becomes the owner (its
 * fencing token minted) and `<owner>:<token>` is announced; the process of that waiter
 * resolves its acquire without a round trip. Nobody else wakes. Waiters therefore send
 * nothing while they wait, except this object's one queue refresh per lock name (see
 * {@link QueueTiming}), which keeps their entries alive, hands on a lock whose holder
 * died, and notices a queue or an announcement that was lost (a restart, a failover).
 */
import type { QueueState, RefreshResult } from './backend.js';

/** Delivers hand-offs for one lock name: the owner the lock was handed to, and its fencing token. */
export interface GrantFeed {
  /**
   * Starts delivering to `onGrant`; resolves once announcements are live.
   * `onResync` is called when announcements may have been lost (the connection
   * carrying them failed or was replaced).
   */
  start(onGrant: (owner: string, fencingToken: number) => void, onResync: () => void): Promise<void>;
  /** Stops delivering. Never rejects. */
  stop(): Promise<void>;
}

/** Why a waiter is asked to send an attempt. */
export type WakeReason = 'refresh' | 'resync' | 'retry';

/** One blocked acquire, as the queue sees it. */
export interface Waiter {
  /** The acquisition's owner token (its queue entry). */
  readonly owner: string;
  /** The lock was handed to this waiter with `fencingToken`. */
  granted(fencingToken: number): void;
  /** Asks the waiter to send one attempt (claim a lock handed to it whose announcement was lost, or join again). */
  wake(reason: WakeReason): void;
  /** A queue refresh covering this waiter is being sent (counted in its lock's stats). */
  refreshSent(): void;
  /**
   * A queue refresh sent at `sentAt` (during a resync or not) found this waiter in `state`:
   * 1 still queued (the lock cannot have been handed to it before `sentAt`); otherwise it
   * needs one attempt.
   */
  refreshed(sentAt: number, state: QueueState, resyncing: boolean): void;
}

/** When a queue refreshes its waiters' entries. */
export interface QueueTiming {
  /** Refresh at least this often while anyone waits (Infinity: only when the lease runs out). */
  readonly refreshMs: number;
  /** Never refresh more often than this (outside a resync). */
  readonly minGapMs: number;
}

/** Milliseconds added to a lease end, so the refresh lands just after the lease ran out. */
export const LEASE_SLACK_MS = 2;

/**
 * After announcements may have been lost, the queue refreshes this often for
 * {@link RESYNC_WINDOW_MS} after the last sign of trouble (the client resubscribes
 * within that window), instead of waiting for its next regular refresh.
 */
export const RESYNC_RETRY_MS = 250;
export const RESYNC_WINDOW_MS = 3_000;

/** Hand-offs to owners not (yet) in this queue that are remembered: the reply that queued a waiter can arrive after its hand-off. */
const RECENT_GRANTS = 32;

const now = () => performance.now();

export class WaitQueue {
  readonly #waiters = new Map<string, Waiter>();
  readonly #feed: GrantFeed;
  readonly #refresh: (owners: readonly string[]) => Promise<RefreshResult>;
  readonly #timing: QueueTiming;
  readonly #lingerMs: number;
  readonly #onIdle: (queue: WaitQueue) => void;
  readonly #recentGrants = new Map<string, number>();
  #live: 'off' | 'starting' | 'on' | 'failed' | 'closed' = 'off';
  #starting: Promise<boolean> | undefined;
  #linger: NodeJS.Timeout | undefined;
  /** When the last waiter of this process left (the linger counts from there). */
  #idleSince = 0;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = 0;
  /** When the lock, as last seen, could become free without an announcement (its lease or a reservation ends). */
  #leaseEndAt = Infinity;
  #lastRefreshAt = 0;
  #refreshing = false;
  #refreshAgain = false;
  #resyncUntil = 0;
  /** Hand-offs received (to anyone in any process). */
  announcements = 0;
  /** Refresh calls sent. */
  refreshes = 0;

  constructor(
    feed: GrantFeed,
    refresh: (owners: readonly string[]) => Promise<RefreshResult>,
    timing: QueueTiming,
    lingerMs: number,
    onIdle: (queue: WaitQueue) => void,
  ) {
    this.#feed = feed;
    this.#refresh = refresh;
    this.#timing = timing;
    this.#lingerMs = lingerMs;
    this.#onIdle = onIdle;
  }

  /** Number of waiters of this process. */
  get size(): number {
    return this.#waiters.size;
  }

  /** True once hand-offs are being received. */
  get live(): boolean {
    return this.#live === 'on';
  }

  /**
   * Adds a waiter whose entry the backend has just queued; `pttlMs` is the lock's
   * remaining lease as that attempt saw it. Wakes it at once when its hand-off
   * arrived before it joined.
   */
  join(waiter: Waiter, pttlMs: number): void {
    // A linger timer still armed finds the queue busy when it fires and does nothing.
    if (this.#waiters.size === 0) this.#lastRefreshAt = now();
    this.#waiters.set(waiter.owner, waiter);
    const token = this.#recentGrants.get(waiter.owner);
    if (token !== undefined) {
      this.#recentGrants.delete(waiter.owner);
      waiter.granted(token);
      return;
    }
    this.seen(pttlMs);
  }

  /** Removes a waiter (it acquired, timed out or was aborted). */
  leave(waiter: Waiter): void {
    if (this.#waiters.get(waiter.owner) !== waiter) return;
    this.#waiters.delete(waiter.owner);
    if (this.#waiters.size === 0) this.#scheduleIdle();
  }

  /** The lock's remaining lease as an attempt or a refresh saw it (-1: no expiry, -2: free). */
  seen(pttlMs: number): void {
    this.#leaseEndAt = pttlMs >= 0 ? now() + pttlMs + LEASE_SLACK_MS : Infinity;
    this.#schedule();
  }

  /**
   * Makes sure hand-offs are live. Resolves true when they are, false when
   * subscribing failed (the queue then relies on its refreshes).
   */
  ready(): Promise<boolean> {
    if (this.#live === 'on') return Promise.resolve(true);
    if (this.#live === 'closed') return Promise.resolve(false);
    if (this.#starting) return this.#starting;
    this.#live = 'starting';
    this.#starting = this.#feed
      .start(
        (owner, fencingToken) => this.onGrant(owner, fencingToken),
        () => this.resync(),
      )
      .then(
        () => {
          if (this.#live === 'starting') this.#live = 'on';
          return this.#live === 'on';
        },
        () => {
          // A later wait subscribes again; meanwhile refresh soon and often.
          if (this.#live === 'starting') this.#live = 'failed';
          this.resync();
          return false;
        },
      )
      .finally(() => {
        this.#starting = undefined;
      });
    return this.#starting;
  }

  /** The lock was handed to `owner`: tell that waiter (if it is ours), nobody else. */
  onGrant(owner: string, fencingToken: number): void {
    this.announcements++;
    const waiter = this.#waiters.get(owner);
    if (waiter) {
      waiter.granted(fencingToken);
      return;
    }
    // Another process's waiter (or ours, whose queued reply is still on its way).
    this.#recentGrants.set(owner, fencingToken);
    if (this.#recentGrants.size > RECENT_GRANTS) this.#recentGrants.delete(this.#recentGrants.keys().next().value!);
  }

  /** True within {@link RESYNC_WINDOW_MS} of the last sign that announcements may have been lost. */
  get resyncing(): boolean {
    return now() < this.#resyncUntil;
  }

  /** Announcements (or the queue itself) may have been lost: refresh now, and often for a while. */
  resync(): void {
    this.#resyncUntil = now() + RESYNC_WINDOW_MS;
    if (this.#waiters.size > 0) this.requestRefresh();
  }

  /** Sends a refresh now, or right after the one in flight (so one is sent after this call). */
  requestRefresh(): void {
    if (this.#live === 'closed' || this.#waiters.size === 0) return;
    if (this.#refreshing) {
      this.#refreshAgain = true;
      return;
    }
    void this.#runRefresh();
  }

  async #runRefresh(): Promise<void> {
    this.#clearTimer();
    this.#refreshing = true;
    this.#refreshAgain = false;
    const resyncing = this.resyncing;
    const sentAt = now();
    this.#lastRefreshAt = sentAt;
    const owners = [...this.#waiters.keys()];
    this.refreshes++;
    for (const w of this.#waiters.values()) w.refreshSent();
    let result: RefreshResult | undefined;
    try {
      result = await this.#refresh(owners);
    } catch {
      // Unreachable for now: retry at the resync pace (the entries outlive a few misses).
      this.#resyncUntil = Math.max(this.#resyncUntil, now() + RESYNC_RETRY_MS * 2);
    }
    this.#refreshing = false;
    if (result) {
      this.#leaseEndAt = result.pttlMs >= 0 ? now() + result.pttlMs + LEASE_SLACK_MS : Infinity;
      for (let i = 0; i < owners.length; i++) {
        this.#waiters.get(owners[i]!)?.refreshed(sentAt, result.states[i] ?? 0, resyncing);
      }
    }
    if (this.#refreshAgain) this.requestRefresh();
    else this.#schedule();
  }

  /** When the next refresh is due: the regular refresh, the lease end, or the resync pace, whichever is first. */
  #dueAt(): number {
    const { refreshMs, minGapMs } = this.#timing;
    let at = Math.min(this.#lastRefreshAt + refreshMs, this.#leaseEndAt);
    at = Math.max(at, this.#lastRefreshAt + minGapMs);
    if (this.resyncing) at = Math.min(at, this.#lastRefreshAt + RESYNC_RETRY_MS);
    return at;
  }

  /**
   * Makes sure the one refresh timer fires by the time a refresh is due. A timer already set
   * to fire no later is kept: when it fires early it looks again (under steady contention the
   * due time moves with every join and hand-off, and re-arming the timer each time cost the
   * hand-off path a few tens of microseconds in a cold process).
   */
  #schedule(): void {
    if (this.#live === 'closed' || this.#waiters.size === 0 || this.#refreshing) return;
    const at = this.#dueAt();
    if (!Number.isFinite(at)) return;
    if (this.#timer && this.#timerAt <= at) {
      if (!this.#timer.hasRef()) this.#timer.ref();
      return;
    }
    this.#clearTimer();
    this.#timerAt = at;
    this.#timer = setTimeout(() => this.#onTimer(), Math.max(0, Math.ceil(at - now())));
  }

  #onTimer(): void {
    this.#timer = undefined;
    if (this.#live === 'closed' || this.#waiters.size === 0 || this.#refreshing) return;
    // Timers run on whole milliseconds: within one of the due time counts as due.
    if (now() >= this.#dueAt() - 1) this.requestRefresh();
    else this.#schedule();
  }

  #clearTimer(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  /**
   * Nobody of this process waits: close the queue (unsubscribe) after the linger time unless
   * someone waits again. The timers stay armed rather than being cleared and set again on
   * every hand-off: a refresh timer left over does nothing when it fires on an idle queue (and
   * no longer holds the process open), the linger timer counts from the last time the queue
   * became idle.
   */
  #scheduleIdle(): void {
    this.#timer?.unref();
    this.#leaseEndAt = Infinity;
    this.#idleSince = now();
    if (!this.#linger) this.#armLinger(this.#lingerMs);
  }

  #armLinger(ms: number): void {
    this.#linger = setTimeout(() => {
      this.#linger = undefined;
      if (this.#waiters.size > 0 || this.#live === 'closed') return;
      const left = this.#idleSince + this.#lingerMs - now();
      if (left > 1) this.#armLinger(left);
      else void this.close();
    }, Math.max(0, Math.ceil(ms)));
    this.#linger.unref();
  }

  /** Stops announcements and drops the queue from its registry. */
  async close(): Promise<void> {
    if (this.#live === 'closed') return;
    const wasStarted = this.#live !== 'off';
    this.#live = 'closed';
    if (this.#linger) clearTimeout(this.#linger);
    this.#linger = undefined;
    this.#clearTimer();
    this.#onIdle(this);
    if (wasStarted) {
      await this.#starting?.catch(() => false);
      await this.#feed.stop();
    }
  }
}
