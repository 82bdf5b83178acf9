import { Redis } from 'ioredis';
import { ContextBuffer, RedisBackend } from '@x/shared-backend';

// An ioredis client of your own: the backend uses it as is and never closes it.
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const backend = new RedisBackend(redis, { prefix: 'example:tenant-ioredis', ttlMs: 3_600_000 });
const buffer = new ContextBuffer({ backend });

await buffer.clear();
await buffer.append('thread-1', 'hello from ioredis');
const threads = [];
for await (const id of buffer.threads()) threads.push(id);
console.log('threads:', threads);

await backend.close();
await redis.quit();
