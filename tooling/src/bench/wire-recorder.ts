/**
 * Records the commands a package sends on a node-redis or ioredis connection,
 * as written to the wire, grouped into the batches they went out in (commands
 * handed to the client in one synchronous run: one write, one round trip), so a
 * raw client can send exactly the same thing again.
 */
import type { Redis } from 'ioredis';
import type { RedisClient } from '../redis/index.js';

/** One command as sent: name and arguments, and whether its reply was asked for as bytes. */
export interface WireCommand {
  args: (string | Buffer)[];
  /** The reply was asked for as `Buffer`s (node-redis' `Buffer` type mapping, ioredis' `callBuffer`). */
  buffers: boolean;
}
/** The commands of one operation, batch by batch (each batch one round trip). */
export type WireTrace = WireCommand[][];

/** Starts and stops recording on one connection. */
export class WireRecorder {
  #trace: WireTrace | undefined;
  #open: WireCommand[] | undefined;

  /** Patches `client.sendCommand` (node-redis: the args; ioredis: the `Command`) to record while {@link record} runs. */
  constructor(client: RedisClient | Redis, kind: 'node-redis' | 'ioredis') {
    const target = client as unknown as { sendCommand: (...a: unknown[]) => unknown };
    const original = target.sendCommand.bind(client);
    target.sendCommand = (...a: unknown[]) => {
      if (this.#trace) {
        const cmd = kind === 'node-redis' ? nodeRedisCommandOf(a[0], a[1]) : commandOf(a[0]);
        this.#add(cmd);
      }
      return original(...a);
    };
  }

  #add(cmd: WireCommand): void {
    if (this.#open === undefined) {
      const batch: WireCommand[] = [];
      this.#open = batch;
      this.#trace!.push(batch);
      // Everything handed over before the current synchronous run ends is one batch.
      queueMicrotask(() => {
        if (this.#open === batch) this.#open = undefined;
      });
    }
    this.#open.push(cmd);
  }

  /** Runs `op` once and returns what it sent. */
  async record(op: () => Promise<unknown>): Promise<WireTrace> {
    const trace: WireTrace = [];
    this.#trace = trace;
    this.#open = undefined;
    try {
      await op();
    } finally {
      this.#trace = undefined;
      this.#open = undefined;
    }
    return trace;
  }
}

/** node-redis' `RESP_TYPES.BLOB_STRING`: the type a `Buffer` reply is mapped from. */
const BLOB_STRING = 36;
const NODE_REDIS_BUFFERS = { typeMapping: { [BLOB_STRING]: Buffer, 43: Buffer } };

function nodeRedisCommandOf(args: unknown, options: unknown): WireCommand {
  const mapping = (options as { typeMapping?: Record<number, unknown> } | undefined)?.typeMapping;
  return { args: [...(args as (string | Buffer)[])], buffers: mapping?.[BLOB_STRING] === Buffer };
}

function commandOf(command: unknown): WireCommand {
  const c = command as { name: string; args: (string | Buffer | number)[]; replyEncoding?: string | null };
  return { args: [c.name, ...c.args.map((a) => (typeof a === 'number' ? String(a) : a))], buffers: !c.replyEncoding }; // ioredis converts a reply to text only when an encoding is set
}

/**
 * Sends a recorded trace on a raw node-redis client: a batch as one tick of `sendCommand`s (node-redis
 * pipelines them), each reply decoded as it was for the package (strings, or `Buffer`s). Returns the
 * replies of the last batch.
 */
export async function replayNodeRedis(client: RedisClient, trace: WireTrace): Promise<unknown[]> {
  const send = (cmd: WireCommand) => client.sendCommand(cmd.args, cmd.buffers ? (NODE_REDIS_BUFFERS as never) : undefined);
  let replies: unknown[] = [];
  for (const batch of trace) replies = batch.length === 1 ? [await send(batch[0]!)] : await Promise.all(batch.map(send));
  return replies;
}

/** Sockets corked until the end of the current tick (see {@link corkForTick}). */
const corked = new WeakSet<object>();

/**
 * Corks an ioredis client's socket until the tick ends, as `@x/redis-adapter`
 * does on ioredis connections (node-redis gathers one tick's commands into one
 * write by itself): the raw rows then send the same commands in the same writes
 * as the package did, and the comparison measures the package's own work, not
 * how many system calls each side makes.
 */
export function corkForTick(client: Redis): void {
  const stream = (client as unknown as { stream?: { cork?(): void; uncork(): void } }).stream;
  if (!stream?.cork || corked.has(stream)) return;
  stream.cork();
  corked.add(stream);
  process.nextTick(() => {
    corked.delete(stream);
    stream.uncork();
  });
}

/**
 * Sends a recorded trace on a raw ioredis client: a batch as one synchronous run of `call`s (`callBuffer`
 * where the package asked for bytes) on a
 * socket corked for the tick (one write, as `@x/redis-adapter` sends a batch on one connection;
 * an ioredis `Pipeline` would write the same bytes and cost more CPU). Returns the replies of the last batch.
 */
export async function replayIoredis(client: Redis, trace: WireTrace): Promise<unknown[]> {
  const send = ({ args: [name, ...args], buffers }: WireCommand) =>
    buffers ? client.callBuffer(String(name), ...args) : client.call(String(name), ...args);
  let replies: unknown[] = [];
  for (const batch of trace) {
    corkForTick(client);
    replies = batch.length === 1 ? [await send(batch[0]!)] : await Promise.all(batch.map(send));
  }
  return replies;
}
