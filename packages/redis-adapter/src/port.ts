import type { ScriptDescriptor } from '@x/lua-scripts';

/** A value that can be sent to Redis. Numbers and bigints are sent as their decimal text. */
export type RedisArg = string | Uint8Array | number | bigint;

/** KEYS or ARGV of a script call: in order, or by the names in the script's header. */
export type ScriptValues = readonly RedisArg[] | Readonly<Record<string, RedisArg | readonly RedisArg[]>>;

/** One script call: the descriptor, and its KEYS and ARGV. */
export interface ScriptCall {
  readonly script: ScriptDescriptor;
  readonly keys: ScriptValues;
  readonly args?: ScriptValues;
}

/** One plain command, with the key that routes it on a cluster (if any). */
export interface CommandCall {
  /** The command and its arguments, e.g. `['LRANGE', key, 0, -1]`. */
  readonly command: readonly RedisArg[];
  /** Every key the command touches (routing and the same-slot check); none for keyless commands. */
  readonly keys?: readonly RedisArg[];
}

/** The keys {@link CallOptions} accepts. */
export const CALL_OPTIONS = ['returnBuffers', 'signal', 'allowCrossSlot'] as const;

/** The keys {@link ScanOptions} accepts. */
export const SCAN_OPTIONS = ['match', 'count', 'type'] as const;

/** The keys {@link SubscribeOptions} accepts. */
export const SUBSCRIBE_OPTIONS = ['returnBuffers', 'onResync'] as const;

/** Options of one call. */
export interface CallOptions {
  /** Return bulk strings as `Buffer` instead of decoded UTF-8 strings. */
  readonly returnBuffers?: boolean;
  /** Abort the call before it is written to the socket. */
  readonly signal?: AbortSignal;
  /**
   * Let the keys of one call span hash slots on a standalone or sentinel server,
   * which hold every slot (one atomic call where a cluster needs two). On a
   * cluster the call is still refused with `CrossSlotError` before sending.
   */
  readonly allowCrossSlot?: boolean;
}

/** The outcome of one call of {@link RedisAdapter.pipelineSettled}. */
export type SettledReply = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: Error };

/** A message received on a subscription. */
export type MessageListener<M extends string | Buffer = string> = (message: M, channel: string) => void;

/** Options of {@link RedisAdapter.subscribe}. */
export interface SubscribeOptions {
  /** Deliver messages as Buffers instead of UTF-8 strings. */
  readonly returnBuffers?: boolean;
  /**
   * Called when a connection that carries this subscription failed, reconnected
   * or was replaced (a restart, a failover, a slot moving): messages published
   * meanwhile may never arrive. Pub/sub delivers at most once; re-read whatever
   * state the messages announce. Called at least once per interruption, and
   * possibly more often (every reconnect attempt, and for connections of the
   * same client that carry other channels). Errors it throws are ignored.
   */
  readonly onResync?: () => void;
}

/** A live subscription; `unsubscribe()` removes just this listener. */
export interface Subscription {
  readonly channel: string;
  unsubscribe(): Promise<void>;
}

/** Options of {@link RedisAdapter.scan}. */
export interface ScanOptions {
  /** A raw `MATCH` glob. Escape user text with `escapeGlob`. */
  readonly match?: string;
  /** `COUNT` hint per SCAN call (default 500). */
  readonly count?: number;
  /** Only keys of this Redis type (`string`, `hash`, `zset`, ...). */
  readonly type?: string;
}

/** Counters an adapter keeps about what it sent. */
export interface AdapterStats {
  /** Commands written (script calls and plain commands; fallbacks count again). */
  commands: number;
  /** EVALSHA calls that got NOSCRIPT and were re-sent as EVAL. */
  noscriptFallbacks: number;
  /** Messages published. */
  published: number;
}

/** The shape of the server or servers behind an adapter. */
export type Topology = 'standalone' | 'cluster' | 'sentinel';

/**
 * The narrow port every `@x` primitive talks to Redis through. It lists only
 * what the primitives use. Implementations must pass the adapter conformance
 * suite (`@x/redis-adapter/testing`).
 */
export interface RedisAdapter extends AsyncDisposable {
  /** What the adapter is connected to. */
  readonly topology: Topology;
  /** True when the adapter created the connection and `close()` ends it. */
  readonly ownsConnection: boolean;
  /** What was sent so far. */
  readonly stats: Readonly<AdapterStats>;

  /**
   * Resolves once the adapter is connected and {@link RedisAdapter.topology} is
   * final (an adapter made from a URL that points at a cluster node becomes a
   * cluster adapter here). Rejects with `ConnectionError` when the first
   * connect failed. Calls wait for it by themselves; read `topology` after it.
   */
  ready(): Promise<void>;

  /**
   * Runs a script with EVALSHA, re-sending it as EVAL when the server answers
   * NOSCRIPT (after `SCRIPT FLUSH`, a restart or a failover). Every key must
   * map to one hash slot, checked before sending.
   */
  runScript<T = unknown>(script: ScriptDescriptor, input: Omit<ScriptCall, 'script'>, options?: CallOptions): Promise<T>;

  /** Runs one plain command, routed by its keys. */
  command<T = unknown>(call: CommandCall, options?: CallOptions): Promise<T>;

  /**
   * Sends several calls in one round trip (one per node on a cluster) and
   * returns their replies in order. Rejects with the first error, after every
   * call has settled. Calls are independent: a NOSCRIPT recovery re-sends the
   * affected script calls after the others, so calls that must be ordered
   * against each other belong in one script.
   */
  pipeline(calls: readonly (ScriptCall | CommandCall)[], options?: CallOptions): Promise<unknown[]>;

  /**
   * Like {@link RedisAdapter.pipeline}, but never rejects for a failed call:
   * returns every call's outcome, so a caller can tell which calls took effect.
   * (Invalid input is still rejected before anything is sent.)
   */
  pipelineSettled(calls: readonly (ScriptCall | CommandCall)[], options?: CallOptions): Promise<SettledReply[]>;

  /** Publishes on a channel (SPUBLISH on a cluster, so the message stays on the channel's shard). */
  publish(channel: string, message: string | Uint8Array): Promise<number>;

  /**
   * Subscribes a listener on the adapter's one subscriber connection
   * (sharded SSUBSCRIBE on a cluster). Resolves once the server confirmed.
   * The client resubscribes after reconnects and failovers by itself; pass
   * `onResync` to learn when messages may have been lost in between.
   */
  subscribe(channel: string, listener: MessageListener<string>, options?: SubscribeOptions & { returnBuffers?: false }): Promise<Subscription>;
  subscribe(channel: string, listener: MessageListener<Buffer>, options: SubscribeOptions & { returnBuffers: true }): Promise<Subscription>;

  /** Iterates over SCAN on every master, yielding batches of keys. */
  scan(options?: ScanOptions): AsyncIterable<string[]>;

  /** The hash slot of a key. */
  hashSlot(key: string | Uint8Array): number;

  /** Closes what the adapter owns: the subscriber connection always, the main connection if it created it. */
  close(): Promise<void>;
}
