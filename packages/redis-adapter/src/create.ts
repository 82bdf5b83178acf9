import { createClient, createCluster, createSentinel } from 'redis';
import { withFailoverDefaults } from './node-redis/failover-defaults.js';
import type { RedisClientOptions, RedisClusterOptions, RedisSentinelOptions } from 'redis';
import { ConnectionError, InvalidArgumentError } from './errors.js';
import { SwitchableTransport } from './node-redis/switchable-transport.js';
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
}

/** The keys {@link CreateAdapterOptions} accepts. */
export const CREATE_ADAPTER_OPTIONS = ['onError', 'commandTimeoutMs', 'detectCluster'] as const;

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

/** True when `INFO cluster` says the server is a cluster node. */
async function isClusterNode(client: AnyClient): Promise<boolean> {
  try {
    const info = String(await client.sendCommand(['INFO', 'cluster']));
    return /cluster_enabled:1/.test(info);
  } catch {
    return false; // INFO refused (some managed services): treat as standalone
  }
}

/**
 * A client from a URL or `{ url }`: connects, asks whether the server is a
 * cluster node and, if so, replaces itself with a cluster seeded by the URL
 * before any call is sent.
 */
function connectUrl(settings: RedisClientOptions & { url: string }, onError: (err: Error) => void, detect: boolean, timeoutMs: number | undefined): RedisAdapter {
  const client = createOwnedClient(settings);
  const transport = new SwitchableTransport(new ClientTransport(client, onError));
  const connected = connectOwned(client, onError, redactUrl(settings.url));
  const ready = !detect
    ? connected
    : connected.then(async () => {
        if (!(await isClusterNode(client))) return;
        const { url, ...defaults } = settings;
        const cluster = createCluster(
          withFailoverDefaults({
            rootNodes: [{ url }],
            defaults: defaults as RedisClusterOptions['defaults'],
          }) as RedisClusterOptions,
        ) as unknown as AnyCluster;
        await client.close().catch(() => client.destroy());
        await connectOwned(cluster, onError, `the Redis cluster of ${redactUrl(url)}`);
        transport.switchTo(new ClusterTransport(cluster));
      });
  ready.catch(() => undefined); // surfaced on the first call, never as an unhandled rejection
  return wrap(transport, true, ready, timeoutMs);
}

/** A URL without its password, for messages. */
function redactUrl(url: string): string {
  return url.replace(/^(rediss?:\/\/)([^@/]*)@/i, (_m, scheme: string, auth: string) => `${scheme}${auth.includes(':') ? `${auth.split(':')[0]}:***` : auth}@`);
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

function clusterAdapter(settings: Record<string, unknown>, onError: (err: Error) => void, timeoutMs: number | undefined): RedisAdapter {
  const seeds = settings.rootNodes as unknown[];
  if (seeds.length === 0) throw badTarget(settings, 'a cluster needs at least one seed');
  const options = withFailoverDefaults({ ...settings, rootNodes: seeds.map(seedOf) }) as unknown as RedisClusterOptions;
  const cluster = createCluster(options) as unknown as AnyCluster;
  return wrap(new ClusterTransport(cluster), true, connectOwned(cluster, onError, 'the Redis cluster'), timeoutMs);
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
  if (typeof input === 'string') {
    if (!isRedisUrl(input)) throw badTarget(input, `not a redis:// or rediss:// URL: ${JSON.stringify((input as string).slice(0, 100))}`);
    return connectUrl({ url: input }, onError, detect, t);
  }
  if (Array.isArray(input)) {
    return clusterAdapter({ rootNodes: input }, onError, t);
  }
  if (typeof input !== 'object' || input === null) throw badTarget(input);
  if (isRedisAdapter(input)) return input;
  const conn: object = input;
  if (isCluster(conn)) return wrap(new ClusterTransport(conn), false, Promise.resolve(), t);
  if (isSentinel(conn)) return wrap(new SentinelTransport(conn), false, Promise.resolve(), t);
  if (isClient(conn)) return wrap(new ClientTransport(conn, onError), false, Promise.resolve(), t);
  if (!isPlainObject(input)) throw badTarget(input);
  const shapes = ['url', 'rootNodes', 'sentinelRootNodes'].filter((k) => (input as Record<string, unknown>)[k] !== undefined);
  if (shapes.length > 1) throw badTarget(input, `connection settings name more than one shape (${shapes.join(', ')})`);
  const settings = input as Record<string, unknown>;
  if (settings.url !== undefined) {
    if (!isRedisUrl(settings.url)) throw badTarget(settings.url, 'url is not a redis:// or rediss:// URL');
    return connectUrl(settings as unknown as RedisClientOptions & { url: string }, onError, detect, t);
  }
  if (settings.rootNodes !== undefined) {
    if (!Array.isArray(settings.rootNodes)) throw badTarget(input, 'rootNodes must be an array of seeds');
    return clusterAdapter(settings, onError, t);
  }
  if (settings.sentinelRootNodes !== undefined) {
    if (!Array.isArray(settings.sentinelRootNodes) || typeof settings.name !== 'string' || settings.name.length === 0) {
      throw badTarget(input, 'sentinel settings need sentinelRootNodes (an array) and name (the master name)');
    }
    const sentinel = createSentinel(settings as unknown as RedisSentinelOptions) as unknown as AnySentinel;
    return wrap(new SentinelTransport(sentinel), true, connectOwned(sentinel, onError, `sentinel master ${settings.name}`), t);
  }
  if (isPlainObject(settings.socket)) {
    const client = createOwnedClient(settings as RedisClientOptions);
    return wrap(new ClientTransport(client, onError), true, connectOwned(client, onError, 'Redis'), t);
  }
  throw badTarget(input);
}
