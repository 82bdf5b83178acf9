import { hashSlot } from '../slot.js';
import type { SendOptions } from '../node-redis/transport.js';
import { execPerNode, isRedirection } from './batch.js';
import { ReadyGate } from './gate.js';
import type { IoCommand, IoCommandClass, IoEmitter } from './types.js';

type Item = { args: (string | Buffer)[]; firstKey: string | Buffer | undefined };

/**
 * Sends commands on one ioredis connection (a `Redis` or a `Redis.Cluster`):
 * builds ioredis `Command`s directly (names upper-cased), so the caller's
 * `keyPrefix`, ioredis' argument and reply transformers (HGETALL as an object)
 * and auto-pipelining never change what the adapter sends or gets back, routes by the adapter's own first key on a
 * cluster, and keeps node-redis' deadline semantics through a {@link ReadyGate}.
 * Batches go out in one write: on one connection as single commands under the tick's cork, on a
 * cluster as ioredis' own `Pipeline`s (one per node).
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

  /** Several commands, written together (one write; on a cluster one pipeline per node) once the connection is ready. */
  sendBatch(items: readonly Item[], options: SendOptions): Promise<PromiseSettledResult<unknown>[]> {
    const all = () => this.#writeBatch(items, options.returnBuffers);
    if (options.signal === undefined && this.#gate.open()) return all();
    return this.#whenOpen(options).then(all, (err: unknown) => items.map(() => ({ status: 'rejected' as const, reason: err })));
  }

  #writeBatch(items: readonly Item[], buffers: boolean): Promise<PromiseSettledResult<unknown>[]> {
    // One connection: each command on its own in this tick; the cork (see #cork) makes them one
    // write, as a Pipeline would, without the Pipeline object (ioredis builds one with a promise,
    // a queue and its own reply bookkeeping: about 12 µs of CPU for a batch of two here).
    if (!this.routeBySlot || items.length === 1) {
      const sent = new Array<Promise<unknown>>(items.length);
      for (let i = 0; i < items.length; i++) sent[i] = this.#write(items[i]!.args, items[i]!.firstKey, buffers);
      return Promise.allSettled(sent);
    }
    return this.#writeClusterBatch(items, buffers);
  }

  /** A batch on a cluster: one ioredis `Pipeline` per node, redirections followed. */
  async #writeClusterBatch(items: readonly Item[], buffers: boolean): Promise<PromiseSettledResult<unknown>[]> {
    const alone = (i: number) => this.#write(items[i]!.args, items[i]!.firstKey, buffers);
    const commands = items.map((i) => {
      const command = this.#command(i.args, buffers);
      const slot = i.firstKey === undefined ? null : hashSlot(i.firstKey);
      command.slot = slot;
      command.keys = i.firstKey === undefined ? [] : [i.firstKey];
      return { command, slot };
    });
    const settled = await execPerNode(this.conn, commands, this.#groupOf, alone);
    // A redirection a cluster pipeline could not follow as a whole (some of its
    // commands moved): those commands did not run; each goes again on its own,
    // where the cluster follows MOVED and ASK.
    const again = settled.flatMap((r, i) => (r.status === 'rejected' && isRedirection(r.reason) ? [i] : []));
    const retried = await Promise.allSettled(again.map(alone));
    again.forEach((i, j) => {
      settled[i] = retried[j]!;
    });
    return settled;
  }

  /** On a cluster, the node set that serves a slot (what ioredis requires one pipeline to stay on). */
  readonly #groupOf = (slot: number): string | undefined => (this.conn as { slots?: (readonly string[] | undefined)[] }).slots?.[slot]?.join(';');

  #whenOpen(options: SendOptions): Promise<void> {
    if (options.signal?.aborted !== true && this.#gate.open()) return Promise.resolve();
    return this.#gate.wait(options.timeoutMs ?? this.defaultTimeoutMs, options.signal);
  }

  /**
   * The ioredis `Command` for `args`, its name upper-cased: ioredis keys its
   * argument and reply transformers by lower-case name (`hgetall` -> object,
   * `hset`/`mset` with one object argument -> field/value pairs, which would
   * take a Buffer apart byte by byte), so none of them applies to what the
   * adapter sends, whatever case a caller writes.
   */
  #command(args: (string | Buffer)[], buffers: boolean): IoCommand {
    return new this.Command(String(args[0]).toUpperCase(), args.slice(1), { replyEncoding: buffers ? null : 'utf8' });
  }

  #write(args: (string | Buffer)[], firstKey: string | Buffer | undefined, buffers: boolean): Promise<unknown> {
    const command = this.#command(args, buffers);
    if (this.routeBySlot) command.slot = firstKey === undefined ? null : hashSlot(firstKey);
    else this.#cork();
    this.conn.sendCommand(command);
    return command.promise;
  }

  /** The socket corked for the current tick, if any. */
  #corked: { cork(): void; uncork(): void } | undefined;

  /**
   * ioredis writes every command to its socket on its own (one system call
   * each); node-redis gathers the commands of one tick into one write. Corking
   * the socket until the tick ends gives ioredis the same: the commands of
   * concurrent callers go out together, in the order they were sent.
   */
  #cork(): void {
    if (this.#corked) return;
    const stream = (this.conn as { stream?: { cork?(): void; uncork(): void; writable?: boolean } }).stream;
    if (!stream || typeof stream.cork !== 'function' || stream.writable === false) return;
    stream.cork();
    this.#corked = stream as { cork(): void; uncork(): void };
    process.nextTick(() => {
      this.#corked = undefined;
      stream.uncork();
    });
  }
}
