/** What a {@link ServerClockEstimate} can say about an expiry. */
export type ExpiryJudgement = 'alive' | 'expired' | 'unsure';

/** Options of a {@link ServerClockEstimate}. */
export interface ServerClockOptions {
  /** How long a reading of the server clock is used, in ms of the local monotonic clock (default 1000). */
  maxAgeMs?: number;
  /**
   * The most the server clock and the local monotonic clock may run apart, in
   * parts per million (default 1000, 0.1 %: ten times what NTP lets a clock slew).
   */
  driftPpm?: number;
  /** The local monotonic clock, in ms (default `performance.now`). */
  now?: () => number;
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
 * to run apart by `driftPpm` over the longest distance between `x` and `r`. A step of the server clock (a
 * manual change, a VM restore) is not bounded; readings older than `maxAgeMs`
 * are not used, so such a step is seen within that time. Redis applies the
 * same stepped clock to its own key expiry.
 */
export class ServerClockEstimate {
  readonly #maxAgeMs: number;
  readonly #drift: number;
  /** The local monotonic clock, in ms. */
  readonly now: () => number;
  #serverMs = 0;
  #sentAt = 0;
  #receivedAt = -Infinity;

  constructor(options: ServerClockOptions = {}) {
    this.#maxAgeMs = options.maxAgeMs ?? 1000;
    this.#drift = (options.driftPpm ?? 1000) / 1e6;
    this.now = options.now ?? (() => performance.now());
  }

  /**
   * Records a reading of the server clock (`serverMs`, with its fraction of a
   * ms) taken by a call sent at `sentAt` and answered at `receivedAt`. Keeps
   * the newest reading.
   */
  observe(serverMs: number, sentAt: number, receivedAt: number): void {
    if (!Number.isFinite(serverMs) || !(sentAt <= receivedAt) || receivedAt < this.#receivedAt) return;
    this.#serverMs = serverMs;
    this.#sentAt = sentAt;
    this.#receivedAt = receivedAt;
  }

  /** Whether a reading recent enough to judge by exists at local time `at`. */
  fresh(at: number): boolean {
    return at - this.#receivedAt <= this.#maxAgeMs;
  }

  /**
   * Judges an entry that expires at `expiryMs` (whole server ms; alive while
   * the server clock is below `expiryMs + 1`, Redis' rule for a key's
   * PEXPIREAT) for a read sent at `sentAt` and answered at `receivedAt`.
   */
  judge(expiryMs: number, sentAt: number, receivedAt: number): ExpiryJudgement {
    if (!Number.isFinite(expiryMs) || !this.fresh(sentAt) || !(sentAt <= receivedAt)) return 'unsure';
    const slack = this.#drift * Math.max(Math.abs(receivedAt - this.#sentAt), Math.abs(this.#receivedAt - sentAt));
    const latest = this.#serverMs + (receivedAt - this.#sentAt) + slack;
    if (latest < expiryMs + 1) return 'alive';
    const earliest = this.#serverMs + (sentAt - this.#receivedAt) - slack;
    if (earliest >= expiryMs + 1) return 'expired';
    return 'unsure';
  }
}
