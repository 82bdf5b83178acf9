import { afterAll, beforeAll } from 'vitest';
import { connectTarget, randomPrefix, type ClusterTopology, type StandaloneTopology } from '@x/tooling/vitest';
import type { AnyRedisClient } from '@x/tooling/redis';
import { createRedisAdapter, escapeGlob, Keyspace, type RedisAdapter } from '@x/redis-adapter';
import { RedisSaver, ShallowRedisSaver, type RedisSaverOptions } from '../src/index.js';

export type T = StandaloneTopology | ClusterTopology;

/** A connected client for the topology (beforeAll/afterAll), plus an adapter on it. */
export function useRedis(t: T): { client: () => AnyRedisClient; adapter: () => RedisAdapter } {
  let client: AnyRedisClient | undefined;
  let adapter: RedisAdapter | undefined;
  beforeAll(async () => {
    client = (await connectTarget(t)) as unknown as AnyRedisClient; // node-redis, or ioredis when X_REDIS_CLIENT=ioredis
    adapter = createRedisAdapter(client as never);
  });
  afterAll(async () => {
    await client?.close();
  });
  return {
    client: () => client!,
    adapter: () => adapter!,
  };
}

/** A saver on a fresh random prefix. */
export function makeSaver(
  client: AnyRedisClient,
  options: RedisSaverOptions = {},
  shallow = false,
): RedisSaver {
  const prefix = options.prefix ?? randomPrefix('cp').replace(/:$/, '');
  const Saver = shallow ? ShallowRedisSaver : RedisSaver;
  return new Saver(client as never, { ...options, prefix });
}

/** Every key under a saver's prefix (SCAN on every master). */
export async function keysOf(adapter: RedisAdapter, prefix: string): Promise<string[]> {
  const ks = new Keyspace(prefix);
  const out: string[] = [];
  for await (const batch of adapter.scan({ match: `${escapeGlob(ks.prefix)}:*` })) out.push(...batch);
  return [...new Set(out)].sort();
}

/** Deletes every key under a saver's prefix. */
export async function dropPrefix(adapter: RedisAdapter, prefix: string): Promise<void> {
  for (const key of await keysOf(adapter, prefix)) {
    await adapter.command({ command: ['UNLINK', key], keys: [key] });
  }
}
