import type { RedisClientOptions, RedisClusterOptions, RedisSentinelOptions } from 'redis';
import type { RedisAdapter } from './port.js';

/**
 * A node-redis 6 client (`createClient`), cluster (`createCluster`) or sentinel
 * client (`createSentinel`) that the caller created, connected and owns, with
 * any modules, scripts, RESP version or type mapping. Typed structurally so
 * every generic instantiation fits; the kind is told apart at run time.
 */
export interface NodeRedisConnection {
  sendCommand(...args: never[]): Promise<unknown>;
}

/**
 * An ioredis 5/6 (or iovalkey) `Redis`, sentinel-configured `Redis`
 * (`{ sentinels, name }`) or `Redis.Cluster` that the caller created and owns.
 * Typed structurally, so neither library is needed to compile against this
 * type; the kind is told apart at run time.
 */
export interface IoredisConnection {
  readonly status: string;
  call(...args: never[]): unknown;
  sendCommand(...args: never[]): unknown;
}

/** One cluster seed: a `redis://` URL, or node-redis' `{ url }` / socket settings. */
export type ClusterSeed = string | RedisClusterOptions['rootNodes'][number];

/**
 * Connection settings for a connection the adapter creates, owns and closes.
 * Besides the key that names the shape (`url`, `socket`, `rootNodes`,
 * `sentinelRootNodes`), the object is handed to node-redis as it is.
 */
export type RedisConnectOptions =
  | ({ url: string } & Omit<RedisClientOptions, 'url'>)
  | ({ socket: NonNullable<RedisClientOptions['socket']> } & Omit<RedisClientOptions, 'socket' | 'url'>)
  | ({ rootNodes: readonly ClusterSeed[] } & Omit<RedisClusterOptions, 'rootNodes'>)
  | ({ sentinelRootNodes: RedisSentinelOptions['sentinelRootNodes']; name: string } & Omit<
      RedisSentinelOptions,
      'sentinelRootNodes' | 'name'
    >);

/**
 * The one connection target every `@x` package accepts:
 *
 * | you pass | what happens | who closes it |
 * | --- | --- | --- |
 * | `'redis://host:port'` / `'rediss://...'`, or `{ url, ...clientOptions }` | connects; if the server is a cluster node, connects to the cluster instead | the object you passed it to, in its `close()` |
 * | `['redis://a:7000', 'redis://b:7001']` or `{ rootNodes, ... }` | connects to the cluster through these seeds | the object you passed it to |
 * | `{ sentinelRootNodes, name, ... }` | connects to the sentinel-managed master | the object you passed it to |
 * | `{ socket: { host, port }, ... }` | connects a standalone client | the object you passed it to |
 * | a node-redis client, cluster or sentinel client | used as is | you: it is never closed for you |
 * | an ioredis (or iovalkey) `Redis`, sentinel-configured `Redis` or `Redis.Cluster` | used as is | you: it is never closed for you |
 * | a `RedisAdapter` | used as is | you |
 *
 * The rule: **a connection you pass stays yours; a connection we open from a
 * URL or settings is ours, and `close()` ends it.**
 */
export type RedisTarget = RedisAdapter | NodeRedisConnection | IoredisConnection | string | readonly string[] | RedisConnectOptions;

/**
 * The former name of {@link RedisTarget}, kept as an alias.
 * @deprecated Use {@link RedisTarget}.
 */
export type RedisInput = RedisTarget;

/** The shapes a target may take, for error messages. */
export const TARGET_SHAPES =
  "a 'redis://' or 'rediss://' URL; { url, ... }; an array of cluster seed URLs or { rootNodes }; " +
  '{ sentinelRootNodes, name }; { socket: { host, port } }; a node-redis client, cluster or sentinel client; ' +
  'an ioredis Redis or Redis.Cluster; or a RedisAdapter';

const URL_PATTERN = /^rediss?:\/\//i;

/** True for a `redis://` or `rediss://` URL. */
export function isRedisUrl(value: unknown): value is string {
  return typeof value === 'string' && URL_PATTERN.test(value);
}
