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

/**
 * node-redis' deadline semantics on an ioredis connection: a command is handed
 * to ioredis only while the connection is ready, so it is written at once; one
 * sent while the connection is down waits here (not in ioredis' offline queue)
 * until the connection is ready, and is rejected without ever being written
 * when its deadline passes or the caller's signal aborts first. The hot path
 * (a ready connection, no signal) sets no timer at all.
 */
export class ReadyGate {
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
      const done = (err?: Error) => {
        this.conn.off('ready', onReady);
        this.conn.off('end', onReady);
        signal?.removeEventListener('abort', onAbort);
        if (timer !== undefined) clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      const onReady = () => done();
      const onAbort = () => done(abortError(signal!));
      this.conn.on('ready', onReady);
      this.conn.on('end', onReady); // a connection that gave up refuses the command itself (closed)
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== undefined && timeoutMs > 0) timer = setTimeout(() => done(new TimeoutError(timeoutMs)), timeoutMs);
    });
  }
}
