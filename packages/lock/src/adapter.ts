import { createRedisAdapter, isRedisAdapter, type RedisAdapter, type RedisInput } from '@x/redis-adapter';

const sharedAdapters = new WeakMap<object, RedisAdapter>();

/**
 * One adapter per caller-owned node-redis connection, so every lock on it
 * shares one subscriber connection and one wait queue per name. Its subscriber
 * is closed when the caller closes the connection.
 */
export function adapterFor(redis: RedisInput): { adapter: RedisAdapter; owned: boolean } {
  if (isRedisAdapter(redis)) return { adapter: redis, owned: false };
  if (typeof redis === 'object' && redis !== null && typeof (redis as { sendCommand?: unknown }).sendCommand === 'function') {
    let adapter = sharedAdapters.get(redis);
    if (!adapter) {
      const created = createRedisAdapter(redis);
      adapter = created;
      sharedAdapters.set(redis, created);
      const emitter = redis as { once?: (event: string, fn: () => void) => unknown };
      emitter.once?.('end', () => {
        sharedAdapters.delete(redis);
        void created.close().catch(() => undefined);
      });
    }
    return { adapter, owned: false };
  }
  return { adapter: createRedisAdapter(redis), owned: true };
}

