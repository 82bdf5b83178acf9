import { AtomicOperations, DurabilityError, isRetryable } from '@x/atomic-ops';

const ops = new AtomicOperations(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
  prefix: 'example-failures',
  retry: { attempts: 3, baseDelayMs: 50 }, // reads, deletes and writes with an operationId
  durability: { replicas: 1, timeoutMs: 200 }, // every write waits for one replica
});
try {
  const sessionId = 'session-failures';
  await ops.deleteSession(sessionId);
  try {
    await ops.appendMessage(sessionId, { role: 'user', content: 'Hi' }, { operationId: 'turn-1' });
    console.log('confirmed by a replica');
  } catch (err) {
    if (!(err instanceof DurabilityError)) throw err;
    // Applied on the master, but no replica confirmed it in time (a server without replicas here).
    console.log(`not confirmed: ${err.acknowledged} of ${err.requested} replica(s), retryable: ${isRetryable(err)}`);
  }
  // Three tries with the same operationId: stored once.
  console.log(`stored: ${(await ops.getMessages(sessionId)).length}`);
} finally {
  await ops.close();
}
