import { setMaxListeners } from 'node:events';

/** How many commands share one abort signal at most. */
export const COMMANDS_PER_SIGNAL = 64;

/** The longest a signal is handed out, in ms (also capped at a tenth of the timeout). */
export const MAX_WINDOW_MS = 100;

/** The longest timeout kept with shared signals: a longer one would overflow a timer (node-redis keeps it then). */
export const MAX_SHARED_TIMEOUT_MS = 2 ** 31 - 1 - MAX_WINDOW_MS;

/**
 * A node-redis command timeout without an `AbortSignal.timeout` per command.
 *
 * node-redis 6 arms a timeout on every command (5 000 ms unless configured) by
 * creating a new `AbortSignal.timeout`. The timer only matters until the
 * command is written: node-redis drops it then, and a command still unwritten
 * when it fires (the connection is down, the offline queue holds it) is removed
 * from the queue and rejected, so it is never sent. Creating those signals and
 * their timers is a large share of the client's CPU per command on a busy
 * connection (each timer lives for the whole timeout, long after its command
 * was answered).
 *
 * This hands out one `AbortSignal.timeout` for the commands sent within a short
 * window (at most {@link MAX_WINDOW_MS} ms or a tenth of the timeout, and at
 * most {@link COMMANDS_PER_SIGNAL} commands), firing `timeoutMs` after the
 * window closes. Each command is passed `timeout: 0` (no timer of its own) and
 * that signal, so a command still unwritten `timeoutMs` to `timeoutMs + window`
 * after it was sent is removed and rejected, as with node-redis' own timer.
 * One difference: node-redis starts a new timer when a cluster re-sends a
 * command after a redirect; the shared signal keeps counting from the first
 * send (a deadline for the whole call). node-redis rejects such a command with
 * its `AbortError`; the adapter reports it as a command timeout.
 */
export class SharedDeadlines {
  readonly #timeoutMs: number;
  readonly #windowMs: number;
  #openedAt = -Infinity;
  #uses = COMMANDS_PER_SIGNAL;
  #options: DeadlineOptions | undefined;

  constructor(
    timeoutMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(timeoutMs > 0 && timeoutMs <= MAX_SHARED_TIMEOUT_MS)) {
      throw new RangeError(`a shared deadline needs a timeout in 1..${MAX_SHARED_TIMEOUT_MS} ms, got ${timeoutMs}`);
    }
    this.#timeoutMs = timeoutMs;
    this.#windowMs = Math.max(1, Math.min(MAX_WINDOW_MS, Math.floor(timeoutMs / 10)));
  }

  /** The node-redis options (`timeout: 0` plus the current shared signal) for one more command. */
  options(): DeadlineOptions {
    const at = this.now();
    if (this.#uses >= COMMANDS_PER_SIGNAL || at - this.#openedAt >= this.#windowMs || this.#options === undefined) {
      this.#options = this.#open(at);
    }
    this.#uses++;
    return this.#options;
  }

  #open(at: number): DeadlineOptions {
    // Node's own timer: unref'd, and out of reach of fake timers in the caller's tests.
    const signal = AbortSignal.timeout(this.#timeoutMs + this.#windowMs);
    // COMMANDS_PER_SIGNAL listeners at a time, more on a cluster where one keyless
    // command goes to every node: by design, not a leak.
    setMaxListeners(0, signal);
    this.#openedAt = at;
    this.#uses = 0;
    return { timeout: 0, abortSignal: signal };
  }
}

/** What {@link SharedDeadlines.options} returns: node-redis command options. */
export interface DeadlineOptions {
  readonly timeout: 0;
  readonly abortSignal: AbortSignal;
}
