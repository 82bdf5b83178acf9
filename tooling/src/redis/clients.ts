import { randomBytes } from 'node:crypto';
import {
  createClient,
  createCluster,
  createSentinel,
  type RedisClientType,
  type RedisClusterType,
  type RedisSentinelType,
} from 'redis';
import type { NodeAddress } from './admin.js';

export type RedisClient = RedisClientType;
export type RedisCluster = RedisClusterType;
export type RedisSentinel = RedisSentinelType;
/** Any connected node-redis handle the harness hands out. */
export type AnyRedisClient = RedisClient | RedisCluster | RedisSentinel;

/**
 * A fresh key prefix such as `t:lock-3f9a1c2b7e:` so tests never see each other's keys.
 * The label is reduced to `[A-Za-z0-9_-]` so the prefix needs no escaping in SCAN patterns.
 */
export function randomPrefix(label = 'test'): string {
  const safe = label.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40) || 'test';
  return `t:${safe}-${randomBytes(5).toString('hex')}:`;
}

function ignoreErrorsUntilClosed(client: { on(event: 'error', listener: (error: unknown) => void): unknown }): void {
  // node-redis emits 'error' for every failed reconnect; without a listener that would crash
  // the process. Commands still reject, so tests see real failures.
  client.on('error', () => {});
}

/** Connected standalone client for `url`. The caller closes it (`client.close()`). */
export async function connectClient(url: string): Promise<RedisClient> {
  // Cast, not assigned: comparing the inferred client type with the declared one structurally
  // cost every package's typecheck about 50 s and 2.5 GB (node-redis' generic command maps).
  const client = createClient({ url }) as unknown as RedisClient;
  ignoreErrorsUntilClosed(client);
  await client.connect();
  return client;
}

/** Connected cluster client for node-redis `rootNodes` (`[{ url }]`). */
export async function connectCluster(rootNodes: Array<{ url: string }>): Promise<RedisCluster> {
  const cluster = createCluster({ rootNodes }) as unknown as RedisCluster;
  ignoreErrorsUntilClosed(cluster);
  await cluster.connect();
  return cluster;
}

/** Connected sentinel-backed client for the master named `name`. */
export async function connectSentinel(name: string, sentinelRootNodes: NodeAddress[]): Promise<RedisSentinel> {
  const sentinel = createSentinel({ name, sentinelRootNodes }) as unknown as RedisSentinel;
  ignoreErrorsUntilClosed(sentinel);
  await sentinel.connect();
  return sentinel;
}
