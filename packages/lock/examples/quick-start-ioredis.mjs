import { Redis } from 'ioredis';
import { createLock } from '@x/lock';

// The ioredis client your service already has (BullMQ's, say): used as is, never closed for you.
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

const lock = createLock(redis, 'invoice:42', { ttlMs: 30_000 });
const total = await lock.withLock(async ({ fencingToken }) => (fencingToken > 0 ? 99 : 0));
console.log('total:', total);

const held = await lock.acquire({ timeoutMs: 5_000 });
console.log('tryAcquire while held:', await createLock(redis, 'invoice:42').tryAcquire());
await held.release();
console.log('free again:', (await lock.tryAcquire().then((h) => h?.release())) === true);

await redis.quit();
