import { randomBytes } from 'node:crypto';
import type { RedisAdapter } from '@x/redis-adapter';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { connectTopology, type Topology } from '@x/tooling/vitest';
import { RedisStore, type RedisStoreOptions } from '../src/index.js';

/** A random store prefix for one test. */
export function testPrefix(label = 'store'): string {
  return `t:${label}-${randomBytes(5).toString('hex')}`;
}

/** Deletes every key of a prefix (SCAN on every master: test cleanup only). */
export async function dropPrefix(redis: RedisAdapter, encodedPrefix: string): Promise<void> {
  const pattern = `${encodedPrefix.replace(/[*?[\]\\]/g, '\\$&')}:{*`;
  for await (const keys of redis.scan({ match: pattern })) {
    for (const key of keys) await redis.command({ command: ['DEL', key], keys: [key] });
  }
}

/**
 * Registers the hooks of a describe block that opens stores on one topology: connects
 * a client before all tests, drops each store's keys and closes it after each test,
 * closes the client after all. `open` makes a store under a fresh prefix.
 */
export function useStores(t: Topology, label: string) {
  let client: Awaited<ReturnType<typeof connectTopology>>;
  const stores: RedisStore[] = [];
  beforeAll(async () => {
    client = await connectTopology(t);
  });
  afterAll(async () => {
    await client.close();
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) {
      await dropPrefix(s.redis, s.keys.keyspace.prefix);
      await s.close();
    }
  });
  return {
    client: () => client,
    open(options: Partial<RedisStoreOptions> = {}): RedisStore {
      const s = new RedisStore(client as never, { prefix: testPrefix(label), ...options });
      stores.push(s);
      return s;
    },
  };
}
