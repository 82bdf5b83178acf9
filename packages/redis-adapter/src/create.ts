import { createClient, createCluster, createSentinel } from 'redis';
import type { RedisClientOptions, RedisClusterOptions, RedisSentinelOptions } from 'redis';
import { ConnectionError, InvalidArgumentError } from './errors.js';
import type { RedisAdapter } from './port.js';
import { NodeRedisAdapter } from './node-redis/adapter.js';
import { ClientTransport, type AnyClient } from './node-redis/client-transport.js';
import { ClusterTransport, type AnyCluster } from './node-redis/cluster-transport.js';
import { SentinelTransport, type AnySentinel } from './node-redis/sentinel-transport.js';
import type { Transport } from './node-redis/transport.js';

/**
 * A node-redis 6 client (`createClient`), cluster (`createCluster`) or sentinel
 * client (`createSentinel`) that the caller created, connected and owns, with
 * any modules, scripts, RESP version or type mapping. Typed structurally so
 * every generic instantiation fits; the kind is told apart at run time.
 */
export interface NodeRedisConnection {
  sendCommand(...args: never[]): Promise<unknown>;
}

/** Connection settings for a connection the adapter creates, owns and closes. */
export type RedisConnectOptions =
  | ({ url: string } & Omit<RedisClientOptions, 'url'>)
  | ({ rootNodes: RedisClusterOptions['rootNodes'] } & Omit<RedisClusterOptions, 'rootNodes'>)
  | ({ sentinelRootNodes: RedisSentinelOptions['sentinelRootNodes']; name: string } & Omit<
      RedisSentinelOptions,
      'sentinelRootNodes' | 'name'
    >);

/**
 * Everything a primitive accepts as its Redis: an adapter, a node-redis
 * connection the caller owns, a `redis://` URL, or connection settings.
 */
export type RedisInput = RedisAdapter | NodeRedisConnection | string | RedisConnectOptions;

/** Options of {@link createRedisAdapter}. */
export interface CreateAdapterOptions {
  /**
   * Receives errors of connections the adapter owns (its subscriber connection,
   * and the main connection when created from a URL). node-redis emits them while it
   * reconnects; without a listener they would crash the process. Default: ignore.
   */
  onError?: (err: Error) => void;
  /**
   * Per-command timeout in milliseconds for the adapter's commands; 0 turns it off.
   * Like node-redis' own, it rejects a command that could not be sent in time (the
   * connection is down) and removes it from the queue. Default: the node-redis
   * connection's `commandOptions.timeout` (5 000 ms unless configured). The adapter
   * keeps it with one timer shared by the commands of a short window rather than
   * one per command; on a cluster it covers redirects too (see the README,
   * "Command timeouts and client CPU").
   */
  commandTimeoutMs?: number;
}

const ADAPTER_BRAND = Symbol.for('@x/redis-adapter');

/** Connection attempts before the first connect of an owned client gives up. */
const INITIAL_CONNECT_ATTEMPTS = 3;

/**
 * node-redis retries a refused connection forever by default, so `connect()`
 * never settles and every call hangs. For clients the adapter creates (and
 * when the caller set no strategy of its own): give up after a few attempts
 * until the first connection succeeded, then reconnect with a capped backoff.
 */
function createOwnedClient(options: RedisClientOptions): AnyClient {
  if (options.socket && 'reconnectStrategy' in options.socket) {
    return createClient(options) as unknown as AnyClient;
  }
  let connectedOnce = false;
  const socket = {
    ...options.socket,
    reconnectStrategy: (retries: number, cause: Error) => {
      if (!connectedOnce && retries >= INITIAL_CONNECT_ATTEMPTS - 1) return cause;
      return Math.min(50 * 2 ** Math.min(retries, 6), 2_000);
    },
  } as RedisClientOptions['socket'];
  const client = createClient({ ...options, socket }) as unknown as AnyClient;
  client.on('ready', () => {
    connectedOnce = true;
  });
  return client;
}

/** True for anything that implements the adapter port (including other implementations). */
export function isRedisAdapter(value: unknown): value is RedisAdapter {
  return (
    typeof value === 'object' &&
    value !== null &&
    ((value as Record<symbol, unknown>)[ADAPTER_BRAND] === true ||
      (typeof (value as RedisAdapter).runScript === 'function' &&
        typeof (value as RedisAdapter).pipeline === 'function' &&
        typeof (value as RedisAdapter).scan === 'function'))
  );
}

function isCluster(v: object): v is AnyCluster {
  return typeof (v as AnyCluster).nodeClient === 'function' && 'masters' in v;
}
function isSentinel(v: object): v is AnySentinel {
  return typeof (v as AnySentinel).getMasterClient === 'function' || typeof (v as AnySentinel).acquire === 'function';
}
function isClient(v: object): v is AnyClient {
  return typeof (v as AnyClient).duplicate === 'function' && typeof (v as AnyClient).sendCommand === 'function';
}

function wrap(transport: Transport, owns: boolean, ready: Promise<void>, timeoutMs?: number): RedisAdapter {
  const adapter = new NodeRedisAdapter(transport, owns, ready, timeoutMs);
  Object.defineProperty(adapter, ADAPTER_BRAND, { value: true });
  return adapter;
}

function connectOwned<T extends { connect(): Promise<unknown>; on(ev: 'error', fn: (e: Error) => void): unknown }>(
  conn: T,
  onError: (err: Error) => void,
  describe: string,
): Promise<void> {
  conn.on('error', onError);
  const ready = conn.connect().then(
    () => undefined,
    (err: unknown) => {
      throw new ConnectionError(`could not connect to ${describe}: ${(err as Error)?.message ?? String(err)}`, {
        cause: err,
      });
    },
  );
  ready.catch(() => undefined); // surfaced on the first call, never as an unhandled rejection
  return ready;
}

/**
 * Wraps what a caller passed as "the Redis" into the adapter port.
 *
 * - an adapter is returned as is;
 * - a node-redis client, cluster or sentinel client is used as is and never closed
 *   by the adapter (the caller owns it; it should be connected);
 * - a URL or connection settings make the adapter create, connect, own and close
 *   the connection (`close()` / `await using`).
 */
export function createRedisAdapter(input: RedisInput, options: CreateAdapterOptions = {}): RedisAdapter {
  const onError = options.onError ?? (() => undefined);
  const t = options.commandTimeoutMs;
  if (t !== undefined && (!Number.isInteger(t) || t < 0 || t > 2_147_483_647)) {
    throw new InvalidArgumentError(`commandTimeoutMs must be a non-negative integer, got ${String(t)}`, {
      argument: 'commandTimeoutMs',
    });
  }
  if (typeof input === 'string') {
    if (!/^rediss?:\/\//.test(input)) {
      throw new InvalidArgumentError(`not a redis:// or rediss:// URL: ${JSON.stringify(input)}`, { argument: 'url' });
    }
    const client = createOwnedClient({ url: input });
    return wrap(new ClientTransport(client, onError), true, connectOwned(client, onError, input), t);
  }
  if (typeof input !== 'object' || input === null) {
    throw new InvalidArgumentError('expected a node-redis client, cluster, sentinel, adapter, URL or connection options', {
      argument: 'redis',
    });
  }
  if (isRedisAdapter(input)) return input;
  const conn: object = input;
  if (isCluster(conn)) return wrap(new ClusterTransport(conn), false, Promise.resolve(), t);
  if (isSentinel(conn)) return wrap(new SentinelTransport(conn), false, Promise.resolve(), t);
  if (isClient(conn)) return wrap(new ClientTransport(conn, onError), false, Promise.resolve(), t);
  if ('url' in input && typeof input.url === 'string') {
    const client = createOwnedClient(input as RedisClientOptions);
    return wrap(new ClientTransport(client, onError), true, connectOwned(client, onError, input.url), t);
  }
  if ('rootNodes' in input && Array.isArray(input.rootNodes)) {
    const cluster = createCluster(input as RedisClusterOptions) as unknown as AnyCluster;
    return wrap(new ClusterTransport(cluster), true, connectOwned(cluster, onError, 'the Redis cluster'), t);
  }
  if ('sentinelRootNodes' in input && Array.isArray(input.sentinelRootNodes)) {
    const sentinel = createSentinel(input as RedisSentinelOptions) as unknown as AnySentinel;
    return wrap(new SentinelTransport(sentinel), true, connectOwned(sentinel, onError, `sentinel master ${input.name}`), t);
  }
  throw new InvalidArgumentError('expected a node-redis client, cluster, sentinel, adapter, URL or connection options', {
    argument: 'redis',
  });
}
