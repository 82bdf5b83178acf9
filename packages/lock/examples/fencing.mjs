import { createClient } from 'redis';
import { createLock, fencedWrite } from '@x/lock';

const redis = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
await redis.connect();
await redis.del('invoice:42:data');

// A holder that stops renewing (think: a long GC pause) loses the lock when its lease runs out.
const slow = createLock(redis, 'invoice:42', { ttlMs: 200, autoRenew: false });
const fast = createLock(redis, 'invoice:42');

const stale = await slow.acquire();
await fencedWrite(redis, 'invoice:42:data', stale.fencingToken, { status: 'draft' });
stale.signal.addEventListener('abort', () => console.log('stale holder told to stop:', stale.signal.reason.code));

const fresh = await fast.acquire(); // waits for the 200 ms lease, then gets a larger token
console.log('tokens increase:', fresh.fencingToken > stale.fencingToken);
console.log('new holder writes:', (await fencedWrite(redis, 'invoice:42:data', fresh.fencingToken, { status: 'paid' })).written);

// The stale holder wakes up and writes: the resource refuses the old token.
const late = await fencedWrite(redis, 'invoice:42:data', stale.fencingToken, { status: 'draft again' });
console.log('stale write applied:', late.written);
console.log('status:', await redis.hGet('invoice:42:data', 'status'));

await fresh.release();
await stale.release(); // token-checked: never releases the new holder's lock
await redis.close();
