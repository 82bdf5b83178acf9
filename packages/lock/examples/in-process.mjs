import { createLock } from '@x/lock';

// No Redis: a real in-process lock with the same API (tests, single-process apps, local dev).
const a = createLock(null, 'job');
const b = createLock(null, 'job');

const held = await a.acquire();
console.log('other object while held:', await b.tryAcquire());
const waiting = b.acquire(); // waits, woken by the release
await held.release();
const next = await waiting;
console.log('tokens increase:', next.fencingToken > held.fencingToken);
await next.release();
