import { createClient } from 'redis';
import { createLock, lockKeys } from '@x/lock';

const redis = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
await redis.connect();

const lock = createLock(redis, 'report:daily', {
  ttlMs: 600,
  maxRenewals: 2, // the watchdog renews at ~ttl/3, twice, then lets go
  safetyMarginMs: 150, // the signal aborts 150 ms before the lease could end
  onLost: (error) => console.log('onLost:', error.reason),
});
lock.on('renewed', (e) => console.log('renewed', e.renewals));
lock.on('lost', (e) => console.log('lost, token', e.fencingToken > 0));

const held = await lock.acquire();
// The signal aborts before the lease can end, so the work stops while the lock is still ours.
await new Promise((resolve) => held.signal.addEventListener('abort', resolve));
console.log('still ours in Redis when told to stop:', (await redis.pTTL(lockKeys('lock', 'report:daily').lock)) > 0);
await held.release();
console.log('stats:', JSON.stringify({ ...lock.stats, waitMsTotal: undefined }));

await redis.close();
