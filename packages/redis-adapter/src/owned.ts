import type { RedisClientOptions, RedisClusterOptions, RedisSentinelOptions } from 'redis';
import { loadClientLibrary, type ClientLibrary, type IoredisModule, type NodeRedisModule } from './client-library.js';
import { ConnectionError } from './errors.js';
import { ioTransport, ownedIoCluster, ownedIoRedis } from './ioredis/connect.js';
import { followIoSentinelMaster } from './ioredis/sentinel-follow.js';
import type { IoCluster, IoCommandClass, IoRedis } from './ioredis/types.js';
import { ClientTransport, type AnyClient } from './node-redis/client-transport.js';
import { createOwnedClient } from './node-redis/owned-client.js';
import { ClusterTransport, type AnyCluster } from './node-redis/cluster-transport.js';
import { withFailoverDefaults, withSentinelFailoverDefaults } from './node-redis/failover-defaults.js';
import { FOLLOWED_SENTINEL_SETTINGS, followSentinelMaster } from './node-redis/sentinel-follow.js';
import { SentinelTransport, type AnySentinel } from './node-redis/sentinel-transport.js';
import { SwitchableTransport } from './node-redis/switchable-transport.js';
import { PendingTransport } from './pending-transport.js';
import type { Topology } from './port.js';

/** What a connection the adapter opens is made from (checked by `createRedisAdapter`). */
export type OwnedTarget =
  | { readonly shape: 'url'; readonly settings: Record<string, unknown> & { url: string }; readonly detect: boolean }
  | { readonly shape: 'cluster'; readonly settings: Record<string, unknown> & { rootNodes: Record<string, unknown>[] } }
  | { readonly shape: 'sentinel'; readonly settings: Record<string, unknown> & { sentinelRootNodes: unknown[]; name: string } }
  | { readonly shape: 'socket'; readonly settings: Record<string, unknown> & { socket: Record<string, unknown> } };

const TOPOLOGY_OF: Record<OwnedTarget['shape'], Topology> = { url: 'standalone', cluster: 'cluster', sentinel: 'sentinel', socket: 'standalone' };

/**
 * Opens a connection the adapter owns: loads the client library (node-redis
 * unless asked otherwise or not installed, else ioredis), creates and connects
 * the connection, and switches the returned transport to it. `ready` settles
 * once the topology is final; the adapter sends nothing before.
 */
export function openOwned(
  target: OwnedTarget,
  library: ClientLibrary | undefined,
  onError: (err: Error) => void,
  timeoutMs: number | undefined,
): { transport: SwitchableTransport; ready: Promise<void> } {
  const transport = new SwitchableTransport(new PendingTransport(TOPOLOGY_OF[target.shape]));
  const ready = loadClientLibrary(library).then((lib) =>
    lib.kind === 'node-redis' ? openNodeRedis(lib.module, target, transport, onError) : openIoredis(lib.module, target, transport, onError, timeoutMs),
  );
  ready.catch(() => undefined); // surfaced on the first call, never as an unhandled rejection
  return { transport, ready };
}

function connectOwned<T extends { connect(): Promise<unknown>; on(ev: 'error', fn: (e: Error) => void): unknown }>(
  conn: T,
  onError: (err: Error) => void,
  describe: string,
): Promise<void> {
  conn.on('error', onError);
  return conn.connect().then(
    () => undefined,
    (err: unknown) => {
      throw new ConnectionError(`could not connect to ${describe}: ${(err as Error)?.message ?? String(err)}`, {
        cause: err,
      });
    },
  );
}

/** The error of a failed first connect to a sentinel-managed master. */
function sentinelConnectError(name: string, err: unknown): ConnectionError {
  return err instanceof ConnectionError
    ? err
    : new ConnectionError(`could not connect to sentinel master ${name}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}

/** True when `INFO cluster` says the server is a cluster node. */
async function isClusterNode(info: () => Promise<unknown>): Promise<boolean> {
  try {
    return /cluster_enabled:1/.test(String(await info()));
  } catch {
    return false; // INFO refused (some managed services): treat as standalone
  }
}

/** A URL without its password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/^(rediss?:\/\/)([^@/]*)@/i, (_m, scheme: string, auth: string) => `${scheme}${auth.includes(':') ? `${auth.split(':')[0]}:***` : auth}@`);
}

async function openNodeRedis(redis: NodeRedisModule, target: OwnedTarget, transport: SwitchableTransport, onError: (err: Error) => void): Promise<void> {
  switch (target.shape) {
    case 'url': {
      // Connects, asks whether the server is a cluster node and, if so, replaces
      // itself with a cluster seeded by the URL before any call is sent.
      const settings = target.settings as RedisClientOptions & { url: string };
      const client = createOwnedClient(redis, settings);
      transport.switchTo(new ClientTransport(client, onError));
      await connectOwned(client, onError, redactUrl(settings.url));
      if (!target.detect || !(await isClusterNode(() => client.sendCommand(['INFO', 'cluster'])))) return;
      const { url, ...defaults } = settings;
      const cluster = redis.createCluster(
        withFailoverDefaults({
          rootNodes: [{ url }],
          defaults: defaults as RedisClusterOptions['defaults'],
        }) as RedisClusterOptions,
      ) as unknown as AnyCluster;
      await client.close().catch(() => client.destroy());
      transport.switchTo(new ClusterTransport(cluster));
      await connectOwned(cluster, onError, `the Redis cluster of ${redactUrl(url)}`);
      return;
    }
    case 'cluster': {
      const cluster = redis.createCluster(withFailoverDefaults(target.settings) as unknown as RedisClusterOptions) as unknown as AnyCluster;
      transport.switchTo(new ClusterTransport(cluster));
      return connectOwned(cluster, onError, 'the Redis cluster');
    }
    case 'sentinel': {
      if (Object.keys(target.settings).every((k) => (FOLLOWED_SENTINEL_SETTINGS as readonly string[]).includes(k))) {
        const follower = followSentinelMaster(redis, target.settings, onError);
        transport.switchTo(follower);
        return follower.connect().catch((err: unknown) => {
          throw sentinelConnectError(target.settings.name, err);
        });
      }
      // Settings only node-redis' own sentinel client knows (pool sizes, ...): it follows the failover.
      const sentinel = redis.createSentinel(withSentinelFailoverDefaults(target.settings) as unknown as RedisSentinelOptions) as unknown as AnySentinel;
      transport.switchTo(new SentinelTransport(sentinel));
      return connectOwned(sentinel, onError, `sentinel master ${target.settings.name}`);
    }
    case 'socket': {
      const client = createOwnedClient(redis, target.settings as RedisClientOptions);
      transport.switchTo(new ClientTransport(client, onError));
      return connectOwned(client, onError, 'Redis');
    }
  }
}

/** The URL of a node-redis-shaped cluster seed (`{ url }` or `{ socket: { host, port } }`). */
function seedUrl(seed: Record<string, unknown>): string {
  if (typeof seed.url === 'string') return seed.url;
  const socket = (seed.socket ?? {}) as { host?: string; port?: number; tls?: boolean };
  return `${socket.tls === true ? 'rediss' : 'redis'}://${socket.host ?? '127.0.0.1'}:${socket.port ?? 6379}`;
}

async function openIoredis(
  io: IoredisModule,
  target: OwnedTarget,
  transport: SwitchableTransport,
  onError: (err: Error) => void,
  timeoutMs: number | undefined,
): Promise<void> {
  const Command = io.Command as unknown as IoCommandClass;
  const use = (conn: IoRedis | IoCluster, describe: string) => {
    transport.switchTo(ioTransport(conn, Command, onError, timeoutMs));
    return connectOwned(conn, onError, describe);
  };
  switch (target.shape) {
    case 'url': {
      const { url } = target.settings;
      const client = ownedIoRedis(io, url);
      await use(client, redactUrl(url));
      if (!target.detect || !(await isClusterNode(() => (client as unknown as { call(...a: string[]): Promise<unknown> }).call('INFO', 'cluster')))) return;
      await client.quit().catch(() => client.disconnect());
      return use(ownedIoCluster(io, [url]), `the Redis cluster of ${redactUrl(url)}`);
    }
    case 'cluster':
      return use(ownedIoCluster(io, target.settings.rootNodes.map(seedUrl)), 'the Redis cluster');
    case 'sentinel': {
      const follower = followIoSentinelMaster(io, target.settings, onError, timeoutMs);
      transport.switchTo(follower);
      return follower.connect().catch((err: unknown) => {
        throw sentinelConnectError(target.settings.name, err);
      });
    }
    case 'socket': {
      const { host, port, tls } = target.settings.socket as { host?: string; port?: number; tls?: boolean };
      return use(ownedIoRedis(io, { host, port, ...(tls === true ? { tls: {} } : {}) }), 'Redis');
    }
  }
}
