/** What a {@link ServerClockEstimate} can say about an expiry. */
export type ExpiryJudgement = 'alive' | 'expired' | 'unsure';

/** Default {@link ServerClockOptions.maxAgeMs}. */
export const DEFAULT_MAX_AGE_MS = 250;

/**
 * Default {@link ServerClockOptions.driftPpm}: 10 %, the most the Linux kernel
 * lets a clock be slewed (its tick adjustment), and above chrony's default
 * `maxslewrate` (83 333 ppm), which it uses while correcting a large offset.
 */
export const DEFAULT_DRIFT_PPM = 100_000;

/** How far the wall clock and the monotonic clock may disagree about elapsed time before a reading is dropped, in ms. */
const WALL_TOLERANCE_MS = 50;

/** Options of a {@link ServerClockEstimate}. */
export interface ServerClockOptions {
  /** How long a reading of the server clock is used, in ms (default {@link DEFAULT_MAX_AGE_MS}). */
  maxAgeMs?: number;
  /**
   * The most the server clock and the local monotonic clock may run apart, in
   * parts per million of the time between them (default {@link DEFAULT_DRIFT_PPM}).
   */
  driftPpm?: number;
  /** The local monotonic clock, in ms (default `performance.now`). */
  now?: () => number;
  /** The local wall clock, in ms (default `Date.now`): only to notice a suspended machine. */
  wallNow?: () => number;
}

/**
 * An estimate of one Redis server's clock, from `TIME` readings taken by
 * scripts and the local monotonic clock between them. It decides whether a
 * registry entry with an absolute expiry (server ms) is alive only when every
 * moment the server could have evaluated the read agrees; otherwise it says
 * `unsure` and the caller asks the server (a script that calls `TIME`).
 *
 * The bounds, for a reading `S` taken by a call sent at `a0` and answered at
 * `a1`, and a read sent at `b0` and answered at `b1` (local monotonic ms): the
 * server ran the read at some moment `x` in `[b0, b1]` and read `S` at some
 * moment `r` in `[a0, a1]`, so its clock at `x` lies within
 * `S + (b0 - a1) - d` and `S + (b1 - a0) + d`, where `d` allows the two clocks
 * to run apart by `driftPpm` over the longest distance between `x` and `r`.
 *
 * A reading is used only while it is at most `maxAgeMs` old when the read is
 * sent and when its answer arrives, by the monotonic clock and by the wall
 * clock alike: the monotonic clock stops while the machine is suspended, the
 * wall clock does not, so a suspend (or a step of the local wall clock) makes
 * the reading unusable instead of wrong. What is not bounded: a step of the
 * server's clock (set by hand, a VM restored), and, after a failover or a slot
 * migration, the difference between the old and the new server's clocks; both
 * last at most `maxAgeMs`, and Redis applies the same clocks to its own key
 * expiry.
 */
export class ServerClockEstimate {
  readonly #maxAgeMs: number;
  readonly #drift: number;
  /** The local monotonic clock, in ms. */
  readonly now: () => number;
  readonly #wallNow: () => number;
  #serverMs = 0;
  #sentAt = 0;
  #receivedAt = -Infinity;
  #receivedAtWall = -Infinity;

  constructor(options: ServerClockOptions = {}) {
    this.#maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.#drift = (options.driftPpm ?? DEFAULT_DRIFT_PPM) / 1e6;
    this.now = options.now ?? (() => performance.now());
    this.#wallNow = options.wallNow ?? Date.now;
  }

  /**
   * Records a reading of the server clock (`serverMs`, with its fraction of a
   * ms) taken by a call sent at `sentAt` and answered at `receivedAt`. Keeps
   * the newest reading; a reading whose call took longer than `maxAgeMs` is
   * too loose to use and is ignored.
   */
  observe(serverMs: number, sentAt: number, receivedAt: number): void {
    if (!Number.isFinite(serverMs) || !(sentAt <= receivedAt) || receivedAt - sentAt > this.#maxAgeMs) return;
    if (receivedAt < this.#receivedAt) return;
    this.#serverMs = serverMs;
    this.#sentAt = sentAt;
    this.#receivedAt = receivedAt;
    this.#receivedAtWall = this.#wallNow();
  }

  /** Whether a reading recent enough to judge by exists at local monotonic time `at`. */
  fresh(at: number): boolean {
    const age = at - this.#receivedAt;
    if (!(age <= this.#maxAgeMs)) return false;
    const wallAge = this.#wallNow() - this.#receivedAtWall;
    return wallAge >= -WALL_TOLERANCE_MS && wallAge <= this.#maxAgeMs + WALL_TOLERANCE_MS;
  }

  /**
   * Judges an entry that expires at `expiryMs` (whole server ms; alive while
   * the server clock is below `expiryMs + 1`, Redis' rule for a key's
   * PEXPIREAT) for a read sent at `sentAt` and answered at `receivedAt`.
   */
  judge(expiryMs: number, sentAt: number, receivedAt: number): ExpiryJudgement {
    // Fresh when the answer arrived (so also when it was sent): the read ran within maxAgeMs of the reading.
    if (!Number.isFinite(expiryMs) || !(sentAt <= receivedAt) || !this.fresh(receivedAt)) return 'unsure';
    const slack = this.#drift * Math.max(Math.abs(receivedAt - this.#sentAt), Math.abs(this.#receivedAt - sentAt));
    const latest = this.#serverMs + (receivedAt - this.#sentAt) + slack;
    if (latest < expiryMs + 1) return 'alive';
    const earliest = this.#serverMs + (sentAt - this.#receivedAt) - slack;
    if (earliest >= expiryMs + 1) return 'expired';
    return 'unsure';
  }
}
