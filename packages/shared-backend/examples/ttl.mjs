import { InMemoryBackend, ManualClock } from '@x/shared-backend';

// TTLs are real in memory too; a ManualClock makes them deterministic (tests, this example).
const clock = new ManualClock();
const backend = new InMemoryBackend({ ttlMs: 1000, clock: clock.now });

await backend.bufferAppend('busy', 'first');
await backend.bufferAppend('idle', 'only');
await backend.registrySet('chain', 'uuid');

clock.advance(600);
await backend.bufferAppend('busy', 'second'); // an append refreshes the thread's TTL
clock.advance(600); // idle and the registry entry are now 1200 ms old, busy 600 ms

console.log('idle exists:', await backend.bufferThreadExists('idle'));
console.log('busy slots:', (await backend.bufferGetThread('busy')).length);
console.log('chain ->', await backend.registryGetUuid('chain'));
console.log('info:', await backend.info());
console.log('swept:', backend.sweep()); // expired entries were already dropped on access
await backend.close();
