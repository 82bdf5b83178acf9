import { Redis } from 'ioredis';
import { createRedisAdapter, defineScript } from '@x/redis-adapter';

const incrTo = defineScript({
  name: 'example/incr-to',
  source: "local v = redis.call('INCRBY', KEYS[1], ARGV[1]); redis.call('PEXPIRE', KEYS[1], ARGV[2]); return v",
  keys: ['counter'],
  args: ['by', 'ttlMs'],
});

// An ioredis Redis, Redis.Cluster or sentinel-configured Redis: the same adapter, never closed for you.
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const adapter = createRedisAdapter(redis);
await adapter.command({ command: ['DEL', 'example:{ioredis}:n'], keys: ['example:{ioredis}:n'] });
const value = await adapter.runScript(incrTo, { keys: { counter: 'example:{ioredis}:n' }, args: { by: 5, ttlMs: 60_000 } });
console.log('topology:', adapter.topology, 'value:', value);

await adapter.close();
await redis.quit();
