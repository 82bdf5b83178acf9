/**
 * The process-wide queue of waiters for one lock name on one backend.
 *
 * Waiters sleep without sending anything. Only the head of the queue ever
 * retries: when a release is announced (pub/sub message, or a local release on
 * the in-process backend), or when its fallback time (the holder's remaining
 * lease as last seen) has come. Everyone behind the head has no timer at all.
 */

/** Delivers release announcements for one lock name. */
export interface ReleaseFeed {
  /**
   * Starts delivering to `onRelease`; resolves once announcements are live.
   * `onResync` is called when announcements may have been lost (the connection
   * carrying them failed or was replaced).
   */
  start(onRelease: () => void, onResync: () => void): Promise<void>;
  /** Stops delivering. Never rejects. */
  stop(): Promise<void>;
}

const now = () => performance.now();

/** One blocked acquire. Its loop sleeps in {@link Waiter.sleep} and retries when woken. */
export class Waiter {
  /** `performance.now()` time at which the head retries even without an announcement. */
  fallbackAt: number;
  /** A release was announced while this waiter was the head and busy; retry at once. */
  pending = false;
  /**
   * What set {@link Waiter.fallbackAt}: the holder's lease as last seen, a resync after
   * a possibly lost announcement, or the retry after a failed attempt.
   */
  fallbackFor: 'lease' | 'resync' | 'error' = 'lease';
  /** Why the last sleep ended: an announcement (or a hand-on), or what set the fallback time. */
  wokeBy: 'announcement' | 'lease' | 'resync' | 'error' | 'cancel' = 'announcement';
  /** True while an acquire attempt of this waiter is in flight. */
  attempting = false;
  /** Set when the wait was cancelled (timeout, abort); the loop exits. */
  cancelled: Error | undefined;
  #wake: (() => void) | undefined;

  constructor(fallbackAt: number) {
    this.fallbackAt = fallbackAt;
  }

  get sleeping(): boolean {
    return this.#wake !== undefined;
  }

  /** Resolves when the queue (or a cancellation) wakes this waiter. */
  sleep(queue: WaitQueue): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#wake = resolve;
      if (this.cancelled) this.wake();
      else queue.kick();
    });
  }

  /** Ends the current sleep, if any. */
  wake(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

/** Milliseconds added to a fallback time, so the retry lands just after the lease ran out. */
export const FALLBACK_SLACK_MS = 2;

/**
 * After announcements may have been lost, the head retries this often for
 * {@link RESYNC_WINDOW_MS} after the last sign of trouble, instead of sleeping
 * through the holder's whole lease: the client resubscribes within that window.
 */
export const RESYNC_RETRY_MS = 250;
export const RESYNC_WINDOW_MS = 3_000;

export class WaitQueue {
  readonly #waiters: Waiter[] = [];
  readonly #feed: ReleaseFeed;
  readonly #lingerMs: number;
  readonly #onIdle: (queue: WaitQueue) => void;
  #live: 'off' | 'starting' | 'on' | 'failed' | 'closed' = 'off';
  #starting: Promise<boolean> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = 0;
  #linger: NodeJS.Timeout | undefined;
  #resyncUntil = 0;
  /** Release announcements received (for tests and stats). */
  announcements = 0;

  constructor(feed: ReleaseFeed, lingerMs: number, onIdle: (queue: WaitQueue) => void) {
    this.#feed = feed;
    this.#lingerMs = lingerMs;
    this.#onIdle = onIdle;
  }

  /** Number of waiters. */
  get size(): number {
    return this.#waiters.length;
  }

  /** True once release announcements are being received. */
  get live(): boolean {
    return this.#live === 'on';
  }

  /** Appends a waiter; returns true when it is the head. */
  join(waiter: Waiter): boolean {
    if (this.#linger) {
      clearTimeout(this.#linger);
      this.#linger = undefined;
    }
    this.#waiters.push(waiter);
    return this.#waiters.length === 1;
  }

  isHead(waiter: Waiter): boolean {
    return this.#waiters[0] === waiter;
  }

  /**
   * Removes a waiter. `holderTtlMs` says it left because it acquired the lock
   * with that lease: the next waiter then needs no retry before that lease could
   * end. A head that leaves otherwise hands a pending announcement on.
   */
  leave(waiter: Waiter, holderTtlMs?: number): void {
    const i = this.#waiters.indexOf(waiter);
    if (i === -1) return;
    this.#waiters.splice(i, 1);
    if (i === 0) {
      const next = this.#waiters[0];
      if (next) {
        if (holderTtlMs !== undefined) {
          next.fallbackAt = now() + holderTtlMs + FALLBACK_SLACK_MS;
          next.fallbackFor = 'lease';
          this.shortenFallback(next);
        } else if (waiter.pending || waiter.attempting) next.pending = true;
      }
      this.#clearTimer();
    }
    if (this.#waiters.length === 0) this.#scheduleIdle();
    else this.kick();
  }

  /**
   * Makes sure announcements are live. Resolves true when they are, false when
   * subscribing failed (waiters then fall back to retrying on a short timer).
   */
  ready(): Promise<boolean> {
    if (this.#live === 'on') return Promise.resolve(true);
    if (this.#live === 'closed') return Promise.resolve(false);
    if (this.#starting) return this.#starting;
    this.#live = 'starting';
    this.#starting = this.#feed
      .start(
        () => this.notify(),
        () => this.resync(),
      )
      .then(
        () => {
          if (this.#live === 'starting') this.#live = 'on';
          return this.#live === 'on';
        },
        () => {
          if (this.#live === 'starting') this.#live = 'failed';
          return false;
        },
      )
      .finally(() => {
        this.#starting = undefined;
      });
    return this.#starting;
  }

  /** A release was announced: wake the head (only the head). */
  notify(): void {
    this.announcements++;
    const head = this.#waiters[0];
    if (!head) return;
    head.pending = true;
    this.kick();
  }

  /** True within {@link RESYNC_WINDOW_MS} of the last sign that announcements may have been lost. */
  get resyncing(): boolean {
    return now() < this.#resyncUntil;
  }

  /**
   * Announcements may have been lost (a reconnect, a failover): the head retries
   * soon, and keeps retrying every {@link RESYNC_RETRY_MS} while the window lasts.
   */
  resync(): void {
    this.#resyncUntil = now() + RESYNC_WINDOW_MS;
    const head = this.#waiters[0];
    if (!head) return;
    this.shortenFallback(head);
    this.kick();
  }

  /** Brings the head's fallback within {@link RESYNC_RETRY_MS} while resyncing; returns true if it did. */
  shortenFallback(waiter: Waiter): boolean {
    if (!this.resyncing) return false;
    const soon = now() + RESYNC_RETRY_MS;
    if (waiter.fallbackAt <= soon) return false;
    waiter.fallbackAt = soon;
    waiter.fallbackFor = 'resync';
    return true;
  }

  /** Re-evaluates the head: wake it now, or arm the one fallback timer for it. */
  kick(): void {
    const head = this.#waiters[0];
    if (!head || !head.sleeping) return;
    if (head.pending || head.cancelled || now() >= head.fallbackAt) {
      head.wokeBy = head.cancelled ? 'cancel' : head.pending ? 'announcement' : head.fallbackFor;
      head.pending = false;
      this.#clearTimer();
      head.wake();
      return;
    }
    if (this.#timer && this.#timerAt === head.fallbackAt) return;
    this.#clearTimer();
    this.#timerAt = head.fallbackAt;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.kick();
    }, Math.max(0, Math.ceil(head.fallbackAt - now())));
  }

  #clearTimer(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  #scheduleIdle(): void {
    this.#clearTimer();
    if (this.#linger) return;
    this.#linger = setTimeout(() => {
      this.#linger = undefined;
      if (this.#waiters.length === 0) void this.close();
    }, this.#lingerMs);
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
    for (const w of this.#waiters) w.wake();
  }
}
