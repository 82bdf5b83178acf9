import { ContextBuffer, ThreadRegistry } from '@x/shared-backend';

// No backend given: each class uses an in-memory backend of its own (one process).
const buffer = new ContextBuffer(); // JSON codec by default
const registry = new ThreadRegistry();

const thread = 'b9c1d7e0-5f1a-4c1e-9d7a-2f0c3e8b6a11';
await registry.set('support/ticket-42', thread);
await buffer.append(thread, { role: 'user', text: 'I cannot log in' });
const index = await buffer.append(thread, { role: 'assistant', text: 'Let us reset your password' });

console.log(`slot ${index}:`, await buffer.at(thread, -1));
console.log('thread of the chain:', await registry.uuidOf('support/ticket-42'));
console.log('chain of the thread:', await registry.chainOf(thread));

await registry.set('support/ticket-42', 'another-thread'); // the stale reverse mapping goes too
console.log('old thread now maps to:', await registry.chainOf(thread));

await buffer.close();
await registry.close();
