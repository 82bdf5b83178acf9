import { createClient } from 'redis';
import { createLock } from '@x/lock';

const redis = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
await redis.connect();
const lock = createLock(redis, 'account:7');

async function debit() {
  // Called inside the holder's scope: re-enters (same token, no waiting).
  await lock.withLock((held) => console.log('debit re-entered:', held.reentered));
}

await lock.withLock(async (held) => {
  console.log('outer token is the inner token:', (await lock.withLock((inner) => inner.fencingToken)) === held.fencingToken);
  await debit();
});

// Concurrent tasks on the same lock object are *not* the same scope: they take turns.
let inside = 0;
let most = 0;
await Promise.all(
  [1, 2, 3].map(() =>
    lock.withLock(async () => {
      most = Math.max(most, ++inside);
      await new Promise((r) => setTimeout(r, 5));
      inside--;
    }),
  ),
);
console.log('most at once:', most);

// A handle from acquire() scopes re-entry explicitly with held.run().
const held = await lock.acquire();
await held.run(async () => console.log('inside run:', (await lock.tryAcquire().then((h) => h?.release())) === true));
await held.release();

await redis.close();
