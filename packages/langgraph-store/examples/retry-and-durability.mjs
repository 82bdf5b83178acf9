import { RedisStore, isDurabilityError } from '@x/langgraph-store';

// Retry batches that failed on a temporary state (reads only, or puts only), and ask one
// replica to confirm every batch of puts within 100 ms.
const store = new RedisStore(process.env.REDIS_URL ?? 'redis://localhost:6379', {
  prefix: `example-durable-${process.pid}`,
  retry: { attempts: 3 },
  durability: { replicas: 1, timeoutMs: 100 },
});

try {
  await store.put(['memories', 'ada'], 'style', { text: 'prefers short answers' });
  console.log('confirmed by a replica');
} catch (error) {
  // A server without replicas never confirms: the put was applied, but is not safe from a failover.
  if (!isDurabilityError(error)) throw error;
  console.log(`${error.code}: ${error.acknowledged} of ${error.requested} replica(s) confirmed`);
}
console.log('stored:', (await store.get(['memories', 'ada'], 'style'))?.value.text);

// A delete is a put too: applied, and (without a replica) unconfirmed as well.
await store.delete(['memories', 'ada'], 'style').catch((error) => {
  if (!isDurabilityError(error)) throw error;
});
await store.close();
