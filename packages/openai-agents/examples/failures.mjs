import { DurabilityError, RedisSession } from '@x/openai-agents';

const session = new RedisSession(process.env.REDIS_URL ?? 'redis://localhost:6379', {
  sessionId: `failures-${Date.now()}`,
  retry: { attempts: 3, baseDelayMs: 50 }, // reads and writes with an operationId
  durability: { replicas: 1, timeoutMs: 200 }, // every write waits for one replica
});
try {
  try {
    await session.addItems([{ type: 'message', role: 'user', content: 'Book a table for two' }], { operationId: 'turn-1' });
    console.log('confirmed by a replica');
  } catch (err) {
    if (!(err instanceof DurabilityError)) throw err;
    // Applied on the master, but no replica confirmed it in time (a server without replicas here).
    console.log(`not confirmed: ${err.acknowledged} of ${err.requested} replica(s)`);
  }
  // Three tries with the same operationId: stored once.
  console.log(`stored: ${(await session.getItems()).length}`);
  await session.clearSession();
} finally {
  await session.close();
}
