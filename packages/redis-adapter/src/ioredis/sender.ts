import { hashSlot } from '../slot.js';
import type { SendOptions } from '../node-redis/transport.js';
import { ReadyGate } from './gate.js';
import type { IoCommand, IoCommandClass, IoEmitter } from './types.js';

/**
 * Sends commands on one ioredis connection (a `Redis` or a `Redis.Cluster`):
 * builds ioredis `Command`s directly, so the caller's `keyPrefix`, reply
 * transformers (HGETALL as an object) and auto-pipelining never change what the
 * adapter sends or gets back, routes by the adapter's own first key on a
 * cluster, and keeps node-redis' deadline semantics through a {@link ReadyGate}.
 */
export class IoSender {
  readonly #gate: ReadyGate;

  constructor(
    private readonly conn: IoEmitter,
    private readonly Command: IoCommandClass,
    /** The timeout when the adapter sets none (node-redis' default, 5 000 ms); 0: none. */
    private readonly defaultTimeoutMs: number,
    private readonly routeBySlot: boolean,
  ) {
    this.#gate = new ReadyGate(conn);
  }

  /** One command, written now when the connection is ready. */
  send(args: (string | Buffer)[], firstKey: string | Buffer | undefined, options: SendOptions): Promise<unknown> {
    if (options.signal === undefined && this.#gate.open()) return this.#write(args, firstKey, options.returnBuffers);
    return this.#whenOpen(options).then(() => this.#write(args, firstKey, options.returnBuffers));
  }

  /** Several commands, all written in one tick (one write per connection) once the connection is ready. */
  sendBatch(items: readonly { args: (string | Buffer)[]; firstKey: string | Buffer | undefined }[], options: SendOptions): Promise<PromiseSettledResult<unknown>[]> {
    const all = () => Promise.allSettled(items.map((i) => this.#write(i.args, i.firstKey, options.returnBuffers)));
    if (options.signal === undefined && this.#gate.open()) return all();
    return this.#whenOpen(options).then(all, (err: unknown) => items.map(() => ({ status: 'rejected' as const, reason: err })));
  }

  #whenOpen(options: SendOptions): Promise<void> {
    if (options.signal?.aborted !== true && this.#gate.open()) return Promise.resolve();
    return this.#gate.wait(options.timeoutMs ?? this.defaultTimeoutMs, options.signal);
  }

  #write(args: (string | Buffer)[], firstKey: string | Buffer | undefined, buffers: boolean): Promise<unknown> {
    const command: IoCommand = new this.Command(String(args[0]), args.slice(1), { replyEncoding: buffers ? null : 'utf8' });
    if (this.routeBySlot) command.slot = firstKey === undefined ? null : hashSlot(firstKey);
    this.conn.sendCommand(command);
    return command.promise;
  }
}
