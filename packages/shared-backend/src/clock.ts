/** A millisecond clock: returns "now" as milliseconds since the epoch. */
export type Clock = () => number;

/**
 * A clock that only moves when told to, for tests of TTL behaviour with the
 * in-memory backend (`new InMemoryBackend({ clock: clock.now })`).
 */
export class ManualClock {
  #now: number;

  constructor(startMs = 1_700_000_000_000) {
    this.#now = startMs;
  }

  /** The current time; a bound function, so `clock.now` can be passed as a {@link Clock}. */
  readonly now: Clock = () => this.#now;

  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advance takes a finite, non-negative number, got ${ms}`);
    this.#now += ms;
  }

  /** Sets the clock to `ms` (it may not go back). */
  set(ms: number): void {
    if (!Number.isFinite(ms) || ms < this.#now) throw new RangeError(`a ManualClock cannot go back (from ${this.#now} to ${ms})`);
    this.#now = ms;
  }
}
