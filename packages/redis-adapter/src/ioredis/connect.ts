import type { IoredisModule } from '../client-library.js';
import { failoverBackoffMs } from '../node-redis/failover-defaults.js';
import { IoClientTransport } from './client-transport.js';
import { IoClusterTransport } from './cluster-transport.js';
import { isIoCluster, type IoCluster, type IoCommandClass, type IoRedis } from './types.js';

/** Attempts before the first connect of a connection the adapter opened gives up. */
const INITIAL_CONNECT_ATTEMPTS = 3;

/** The node-redis default command timeout, kept for ioredis connections that set none. */
export const DEFAULT_TIMEOUT_MS = 5_000;

/** The deadline of an ioredis connection's commands: the adapter's, else the connection's `commandTimeout`, else 5 000 ms. */
export function ioTimeoutMs(conn: { options: object }, adapterTimeoutMs: number | undefined): number {
  if (adapterTimeoutMs !== undefined) return adapterTimeoutMs;
  const own = (conn.options as { commandTimeout?: unknown }).commandTimeout;
  return typeof own === 'number' && own > 0 ? own : DEFAULT_TIMEOUT_MS;
}

/**
 * ioredis retries a refused connection forever by default. For connections the
 * adapter opens: give up after a few attempts until the first connect
 * succeeded, then reconnect with a capped backoff (as for node-redis): at most
 * 2 s for a standalone server, at most 200 ms (`failoverBackoffMs`) where a
 * failover may have moved the master (sentinel, cluster).
 */
function ownedRetry(failover = false): { retryStrategy: (times: number) => number | null; onReady: () => void } {
  let connectedOnce = false;
  return {
    retryStrategy: (times) =>
      !connectedOnce && times >= INITIAL_CONNECT_ATTEMPTS ? null : failover ? failoverBackoffMs(times) : Math.min(50 * 2 ** Math.min(times, 6), 2_000),
    onReady: () => {
      connectedOnce = true;
    },
  };
}

/** ioredis options for a `redis://` / `rediss://` URL's credentials and TLS (for cluster nodes). */
export function urlOptions(url: string): { host: string; port: number; redisOptions: Record<string, unknown> } {
  const u = new URL(url);
  const redisOptions: Record<string, unknown> = {};
  if (u.username) redisOptions.username = decodeURIComponent(u.username);
  if (u.password) redisOptions.password = decodeURIComponent(u.password);
  if (u.protocol === 'rediss:') redisOptions.tls = {};
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 6379), redisOptions };
}

/**
 * An owned ioredis `Redis` from a URL or options, not yet connected.
 * `failover`: reconnect with the failover backoff (a master a sentinel follows).
 */
export function ownedIoRedis(io: IoredisModule, target: string | Record<string, unknown>, failover = false): IoRedis {
  const retry = ownedRetry(failover);
  const options = { lazyConnect: true, retryStrategy: retry.retryStrategy };
  const client = (typeof target === 'string' ? new io.Redis(target, options) : new io.Redis({ ...target, ...options })) as IoRedis;
  client.on('ready', retry.onReady);
  return client;
}

/** An owned ioredis cluster through these seeds, not yet connected. */
export function ownedIoCluster(io: IoredisModule, seeds: readonly string[]): IoCluster {
  const parsed = seeds.map(urlOptions);
  const retry = ownedRetry(true);
  const cluster = new io.Cluster(
    parsed.map(({ host, port }) => ({ host, port })),
    {
      lazyConnect: true,
      redisOptions: parsed[0]!.redisOptions,
      clusterRetryStrategy: retry.retryStrategy,
    },
  ) as IoCluster;
  cluster.on('ready', retry.onReady);
  return cluster;
}

/** The transport for an ioredis connection (a client, sentinel-configured client or cluster). */
export function ioTransport(
  conn: IoRedis | IoCluster,
  Command: IoCommandClass,
  onError: (err: Error) => void,
  adapterTimeoutMs: number | undefined,
): IoClientTransport | IoClusterTransport {
  const timeoutMs = ioTimeoutMs(conn, adapterTimeoutMs);
  return isIoCluster(conn)
    ? new IoClusterTransport(conn, Command, onError, timeoutMs)
    : new IoClientTransport(conn as IoRedis, Command, onError, timeoutMs);
}
