import { ContextBuffer, RedisBackend, ThreadRegistry } from '@x/shared-backend';

// One prefix per tenant; threads and registry entries expire 1 h after their last write.
const backend = new RedisBackend(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
  prefix: 'example:tenant-a',
  ttlMs: 3_600_000,
});
const buffer = new ContextBuffer({ backend });
const registry = new ThreadRegistry({ backend });

await buffer.clear();
await registry.clear();
await buffer.append('thread:{1}*', 'ids are data: braces and globs are fine');
await buffer.append('thread-2', 'hello');
await registry.set('chain-a', 'thread-2');

const threads = [];
for await (const id of buffer.threads()) threads.push(id); // ids, not keys; complete on a cluster
console.log('threads:', threads.sort());
console.log('registry:', Object.fromEntries(await registry.toMap()));
console.log('info:', await backend.info());

await backend.close(); // it created the connection from the URL, so it closes it
