/**
 * The parts of an ioredis 5/6 (or iovalkey) connection the adapter uses, typed
 * structurally so the adapter needs no import of either library at run time
 * or in its type declarations.
 */

/** An ioredis `Command`: what `sendCommand` takes. */
export interface IoCommand {
  readonly promise: Promise<unknown>;
  /** Routing slot on a cluster (`null`: any node); set before sending. */
  slot?: number | null;
  /**
   * The command's keys as ioredis sees them (read by a cluster `Pipeline` to
   * pick its node); set before sending to the adapter's own first key, so
   * ioredis does not look the keys up by command name.
   */
  keys?: (string | Buffer)[];
}

/** An ioredis `Pipeline`: commands queued with `sendCommand`, written in one write by `exec`. */
export interface IoPipeline {
  sendCommand(command: IoCommand): unknown;
  /** One `[error, reply]` per command, in order. */
  exec(): Promise<[Error | null, unknown][]>;
}

/** The `Command` class of the client's own copy of ioredis. */
export type IoCommandClass = new (name: string, args: (string | Buffer)[], options: { replyEncoding: 'utf8' | null }) => IoCommand;

/** Events and status both connection kinds share. */
export interface IoEmitter {
  readonly status: string;
  on(event: string, listener: (...args: never[]) => void): unknown;
  once(event: string, listener: (...args: never[]) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
  sendCommand(command: IoCommand): unknown;
  pipeline(): IoPipeline;
  quit(): Promise<unknown>;
  disconnect(): void;
}

/** An ioredis `Redis` (standalone, or sentinel-configured with `sentinels` and `name`). */
export interface IoRedis extends IoEmitter {
  readonly options: {
    readonly sentinels?: readonly unknown[] | null;
    readonly enableOfflineQueue?: boolean;
    readonly host?: string;
    readonly port?: number;
  };
  duplicate(override?: Record<string, unknown>): IoRedis;
  connect(): Promise<void>;
  subscribe(...channels: string[]): Promise<unknown>;
  unsubscribe(...channels: string[]): Promise<unknown>;
  ssubscribe(...channels: string[]): Promise<unknown>;
  sunsubscribe(...channels: string[]): Promise<unknown>;
}

/** An ioredis `Redis.Cluster`. */
export interface IoCluster extends IoEmitter {
  readonly isCluster: true;
  readonly options: { readonly enableOfflineQueue?: boolean };
  /** Slot -> node keys (`host:port`), master first. */
  readonly slots: (readonly string[] | undefined)[];
  nodes(role?: 'all' | 'master' | 'slave'): IoRedis[];
  refreshSlotsCache(callback?: (err?: Error) => void): void;
  connect(): Promise<void>;
}

type Loose = Record<string, unknown>;

/** True for an ioredis (or iovalkey) `Redis.Cluster`. */
export function isIoCluster(v: object): v is IoCluster {
  const o = v as Loose;
  return o.isCluster === true && typeof o.nodes === 'function' && typeof o.sendCommand === 'function' && typeof o.status === 'string';
}

/** True for an ioredis (or iovalkey) `Redis`, standalone or sentinel-configured. */
export function isIoRedis(v: object): v is IoRedis {
  const o = v as Loose;
  return (
    typeof o.call === 'function' &&
    typeof o.duplicate === 'function' &&
    typeof o.sendCommand === 'function' &&
    typeof o.status === 'string' &&
    typeof o.options === 'object' &&
    o.options !== null
  );
}

/**
 * The `Command` class of the connection's own copy of ioredis (or iovalkey):
 * read off a command that a throwaway pipeline of the connection builds and
 * never sends (ioredis' mixins hide the class behind the instance's
 * `constructor`). Undefined when that does not work; the caller then uses the
 * installed `ioredis`.
 */
export function commandClassOf(conn: IoRedis | IoCluster): IoCommandClass | undefined {
  try {
    const pipeline = (conn as unknown as { pipeline(): { call(...args: string[]): unknown; _queue?: unknown[] } }).pipeline();
    pipeline.call('PING'); // queued on the pipeline only; it is never executed
    const command = pipeline._queue?.[0] as { constructor?: unknown } | undefined;
    const cls = command?.constructor;
    return typeof cls === 'function' && cls !== Object ? (cls as IoCommandClass) : undefined;
  } catch {
    return undefined;
  }
}

/** The topology of an ioredis connection. */
export function ioTopology(conn: IoRedis | IoCluster): 'standalone' | 'cluster' | 'sentinel' {
  if (isIoCluster(conn)) return 'cluster';
  const sentinels = (conn as IoRedis).options.sentinels;
  return Array.isArray(sentinels) && sentinels.length > 0 ? 'sentinel' : 'standalone';
}
