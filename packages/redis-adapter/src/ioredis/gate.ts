import { listenShared } from '../shared-listeners.js';
import type { IoEmitter } from './types.js';

/** A command that waited for the connection longer than its deadline; mapped to a command-timeout `ConnectionError`. */
export class TimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`command timeout: the connection was not ready within ${timeoutMs} ms`);
    this.name = 'TimeoutError';
  }
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const err = new Error('The operation was aborted', { cause: reason });
  err.name = 'AbortError';
  return err;
}

/** States in which ioredis would queue a command and write it later (after a reconnect). */
const WAITING = new Set(['connecting', 'connect', 'close', 'reconnecting']);

/** One call waiting for the connection: settles once, by the connection, its deadline or its signal. */
interface Waiting {
  settle(err?: Error): void;
}

/**
 * node-redis' deadline semantics on an ioredis connection: a command is handed
 * to ioredis only while the connection is ready, so it is written at once; one
 * sent while the connection is down waits here (not in ioredis' offline queue)
 * until the connection is ready, and is rejected without ever being written
 * when its deadline passes or the caller's signal aborts first. The hot path
 * (a ready connection, no signal) sets no timer at all.
 *
 * However many calls wait, on however many adapters, the connection (the
 * caller's object) gets one `ready` and one `end` listener (see
 * {@link listenShared}), removed once nobody waits: a burst of calls on a
 * connection still connecting must not set off Node's
 * `MaxListenersExceededWarning` on it.
 */
export class ReadyGate {
  readonly #waiting = new Set<Waiting>();
  #stopListening: (() => void) | undefined;

  constructor(private readonly conn: IoEmitter) {}

  /** True when a command handed to ioredis now is written at once, or refused at once (closed, lazy, no queue). */
  open(): boolean {
    return !WAITING.has(this.conn.status);
  }

  /** Resolves once the connection left the waiting states; rejects at the deadline or on abort. */
  wait(timeoutMs: number | undefined, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => waiting.settle(abortError(signal!));
      const waiting: Waiting = {
        settle: (err) => {
          if (!this.#waiting.delete(waiting)) return;
          if (this.#waiting.size === 0) this.#unlisten();
          signal?.removeEventListener('abort', onAbort);
          if (timer !== undefined) clearTimeout(timer);
          if (err) reject(err);
          else resolve();
        },
      };
      this.#waiting.add(waiting);
      this.#listen();
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== undefined && timeoutMs > 0) timer = setTimeout(() => waiting.settle(new TimeoutError(timeoutMs)), timeoutMs);
    });
  }

  /** The connection is ready, or gave up (it then refuses each command itself: closed): every waiting call goes on. */
  readonly #onReady = (): void => {
    for (const waiting of [...this.#waiting]) waiting.settle();
  };

  #listen(): void {
    if (this.#stopListening) return;
    const stopReady = listenShared(this.conn, 'ready', this.#onReady);
    const stopEnd = listenShared(this.conn, 'end', this.#onReady);
    this.#stopListening = () => {
      stopReady();
      stopEnd();
    };
  }

  #unlisten(): void {
    const stop = this.#stopListening;
    this.#stopListening = undefined;
    stop?.();
  }
}
