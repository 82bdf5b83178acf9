import { createClient } from 'redis';
import { createLock, LockTimeoutError } from '@x/lock';

const redis = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
await redis.connect();

const lock = createLock(redis, 'invoice:42', { ttlMs: 30_000 });

// withLock: acquire (waiting without polling), run, release; returns the routine's result.
const total = await lock.withLock(async ({ fencingToken, signal }) => {
  signal.throwIfAborted(); // aborts before the lease could run out
  return fencingToken > 0 ? 99 : 0;
});
console.log('total:', total);

// acquire + try/finally: released whatever happens inside.
const held = await lock.acquire({ timeoutMs: 5_000 });
try {
  console.log('held:', held.isHeld());

  // Anyone else (another task, process or lock object) waits or gives up.
  const other = createLock(redis, 'invoice:42');
  console.log('tryAcquire while held:', await other.tryAcquire());
  await other.acquire({ timeoutMs: 50 }).catch((e) => console.log('waited 50 ms:', e instanceof LockTimeoutError));
} finally {
  await held.release();
}
console.log('free again:', (await lock.tryAcquire().then((h) => h?.release())) === true);

await redis.close();
