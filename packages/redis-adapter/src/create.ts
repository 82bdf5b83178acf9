import { CLIENT_LIBRARIES, loadClientLibrary, type ClientLibrary } from './client-library.js';
import { InvalidArgumentError } from './errors.js';
import { ioTransport } from './ioredis/connect.js';
import { commandClassOf, ioTopology, isIoCluster, isIoRedis, type IoCluster, type IoCommandClass, type IoRedis } from './ioredis/types.js';
import { SwitchableTransport } from './node-redis/switchable-transport.js';
import { openOwned, type OwnedTarget } from './owned.js';
import { PendingTransport } from './pending-transport.js';
import { isRedisUrl, TARGET_SHAPES, type RedisTarget } from './target.js';
import { checkBoolean, checkFunction, checkInteger, checkOptions, describeValue, isPlainObject } from './validate/index.js';
import type { RedisAdapter } from './port.js';
export type { NodeRedisConnection, RedisConnectOptions, RedisInput, RedisTarget } from './target.js';
import { NodeRedisAdapter } from './node-redis/adapter.js';
import { ClientTransport, type AnyClient } from './node-redis/client-transport.js';
import { ClusterTransport, type AnyCluster } from './node-redis/cluster-transport.js';
import { SentinelTransport, type AnySentinel } from './node-redis/sentinel-transport.js';
import type { Transport } from './node-redis/transport.js';

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
  /**
   * For a URL or `{ url }`: ask the server once, at connect, whether it is a
   * cluster node (`INFO cluster`), and if so connect to the cluster through it
   * (default true). Set false to keep a plain client even on a cluster node.
   */
  detectCluster?: boolean;
  /**
   * The client library that opens a connection from a URL or settings:
   * `'node-redis'` (package `redis`) or `'ioredis'`. Default: node-redis when it
   * is installed, else ioredis. With ioredis, settings objects are read for
   * their shape only (`url`, `rootNodes` URLs, `socket.host`/`port`,
   * `sentinelRootNodes` and `name`); pass an ioredis client of your own for
   * anything else. Ignored for a client object, which brings its own library.
   */
  client?: ClientLibrary;
}

/** The keys {@link CreateAdapterOptions} accepts. */
export const CREATE_ADAPTER_OPTIONS = ['onError', 'commandTimeoutMs', 'detectCluster', 'client'] as const;

const ADAPTER_BRAND = Symbol.for('@x/redis-adapter');

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

function badTarget(input: unknown, detail?: string): InvalidArgumentError {
  let hint = '';
  if (isPlainObject(input)) {
    const keys = Object.keys(input);
    hint = ` Got an object with ${keys.length === 0 ? 'no keys' : `keys ${keys.join(', ')}`}.`;
    if ('host' in input || 'port' in input) hint += " For a host and port pass 'redis://host:port' or { socket: { host, port } }.";
    else if (keys.some((k) => ['prefix', 'ttlMs', 'onError', 'commandTimeoutMs', 'redis', 'backend'].includes(k))) {
      hint += ' These look like options: pass the connection first and the options second.';
    }
  } else {
    hint = ` Got ${describeValue(input)}.`;
  }
  return new InvalidArgumentError(`${detail ?? 'not a Redis connection target'}: expected ${TARGET_SHAPES}.${hint}`, {
    argument: 'redis',
  });
}

function seedOf(seed: unknown, i: number): unknown {
  if (typeof seed === 'string') {
    if (!isRedisUrl(seed)) throw badTarget(seed, `cluster seed [${i}] is not a redis:// or rediss:// URL`);
    return { url: seed };
  }
  if (!isPlainObject(seed)) throw badTarget(seed, `cluster seed [${i}] must be a URL or { url } / { socket }`);
  return seed;
}

/**
 * Wraps a connection target (see {@link RedisTarget}) into the adapter port.
 *
 * - an adapter is returned as is;
 * - a node-redis client, cluster or sentinel client is used as is and never closed
 *   by the adapter (the caller owns it; it should be connected);
 * - a URL or connection settings make the adapter create, connect, own and close
 *   the connection (`close()` / `await using`). A URL that points at a cluster
 *   node connects to the whole cluster (asked once, at connect; see
 *   `detectCluster`); `ready()` resolves once that is settled.
 *
 * Everything is checked before a connection is made: a target of none of the
 * accepted shapes and unknown or ill-typed options throw `InvalidArgumentError`
 * (`UnknownOptionError` for an unknown option key).
 */
export function createRedisAdapter(input: RedisTarget, options?: CreateAdapterOptions): RedisAdapter {
  const o = checkOptions(options, 'createRedisAdapter options', { accepted: CREATE_ADAPTER_OPTIONS });
  const onError = checkFunction<(err: Error) => void>(o.onError, 'onError') ?? (() => undefined);
  const t = o.commandTimeoutMs === undefined ? undefined : checkInteger(o.commandTimeoutMs, 'commandTimeoutMs', { min: 0, max: 2_147_483_647 });
  const detect = checkBoolean(o.detectCluster, 'detectCluster', true);
  if (o.client !== undefined && !(CLIENT_LIBRARIES as readonly unknown[]).includes(o.client)) {
    throw new InvalidArgumentError(`client must be one of ${CLIENT_LIBRARIES.map((c) => `'${c}'`).join(', ')}, got ${describeValue(o.client)}`, {
      argument: 'client',
    });
  }
  const owned = (target: OwnedTarget) => {
    const { transport, ready } = openOwned(target, o.client as ClientLibrary | undefined, onError, t);
    return wrap(transport, true, ready, t);
  };
  if (typeof input === 'string') {
    if (!isRedisUrl(input)) throw badTarget(input, `not a redis:// or rediss:// URL: ${JSON.stringify((input as string).slice(0, 100))}`);
    return owned({ shape: 'url', settings: { url: input }, detect });
  }
  if (Array.isArray(input)) return owned(clusterTarget({ rootNodes: input }));
  if (typeof input !== 'object' || input === null) throw badTarget(input);
  if (isRedisAdapter(input)) return input;
  const conn: object = input;
  // ioredis first: its clients also have `duplicate` and `sendCommand`.
  if (isIoCluster(conn) || isIoRedis(conn)) return ioredisAdapter(conn, onError, t);
  if (isCluster(conn)) return wrap(new ClusterTransport(conn), false, Promise.resolve(), t);
  if (isSentinel(conn)) return wrap(new SentinelTransport(conn), false, Promise.resolve(), t);
  if (isClient(conn)) return wrap(new ClientTransport(conn, onError), false, Promise.resolve(), t);
  if (!isPlainObject(input)) throw badTarget(input);
  const shapes = ['url', 'rootNodes', 'sentinelRootNodes'].filter((k) => (input as Record<string, unknown>)[k] !== undefined);
  if (shapes.length > 1) throw badTarget(input, `connection settings name more than one shape (${shapes.join(', ')})`);
  const settings = input as Record<string, unknown>;
  if (settings.url !== undefined) {
    if (!isRedisUrl(settings.url)) throw badTarget(settings.url, 'url is not a redis:// or rediss:// URL');
    return owned({ shape: 'url', settings: settings as Record<string, unknown> & { url: string }, detect });
  }
  if (settings.rootNodes !== undefined) {
    if (!Array.isArray(settings.rootNodes)) throw badTarget(input, 'rootNodes must be an array of seeds');
    return owned(clusterTarget(settings));
  }
  if (settings.sentinelRootNodes !== undefined) {
    if (!Array.isArray(settings.sentinelRootNodes) || typeof settings.name !== 'string' || settings.name.length === 0) {
      throw badTarget(input, 'sentinel settings need sentinelRootNodes (an array) and name (the master name)');
    }
    return owned({ shape: 'sentinel', settings: settings as Record<string, unknown> & { sentinelRootNodes: unknown[]; name: string } });
  }
  if (isPlainObject(settings.socket)) {
    return owned({ shape: 'socket', settings: settings as Record<string, unknown> & { socket: Record<string, unknown> } });
  }
  throw badTarget(input);
}

function clusterTarget(settings: Record<string, unknown>): OwnedTarget {
  const seeds = settings.rootNodes as unknown[];
  if (seeds.length === 0) throw badTarget(settings, 'a cluster needs at least one seed');
  return { shape: 'cluster', settings: { ...settings, rootNodes: seeds.map(seedOf) as Record<string, unknown>[] } };
}

/**
 * An ioredis (or iovalkey) client, sentinel-configured client or cluster of the
 * caller's. Commands are built with the `Command` class of the client's own
 * library; when the object does not show it (a cluster before its first
 * connect), it is taken from the installed `ioredis` before the first call.
 */
function ioredisAdapter(conn: IoRedis | IoCluster, onError: (err: Error) => void, t: number | undefined): RedisAdapter {
  const own = commandClassOf(conn);
  if (own) return wrap(ioTransport(conn, own, onError, t), false, Promise.resolve(), t);
  const transport = new SwitchableTransport(new PendingTransport(ioTopology(conn)));
  const ready = loadClientLibrary('ioredis').then((lib) => {
    transport.switchTo(ioTransport(conn, (lib.module as { Command: unknown }).Command as IoCommandClass, onError, t));
  });
  ready.catch(() => undefined);
  return wrap(transport, false, ready, t);
}
