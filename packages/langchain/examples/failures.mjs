import { HumanMessage } from '@langchain/core/messages';
import { DurabilityError, RedisChatMessageHistory } from '@x/langchain';

const history = new RedisChatMessageHistory(process.env.REDIS_URL ?? 'redis://localhost:6379', {
  sessionId: `failures-${Date.now()}`,
  retry: { attempts: 3, baseDelayMs: 50 }, // reads and appends with an operationId
  durability: { replicas: 1, timeoutMs: 200 }, // every append waits for one replica
});
try {
  try {
    await history.addMessage(new HumanMessage('Book a table for two'), { operationId: 'turn-1' });
    console.log('confirmed by a replica');
  } catch (err) {
    if (!(err instanceof DurabilityError)) throw err;
    // Applied on the master, but no replica confirmed it in time (a server without replicas here).
    console.log(`not confirmed: ${err.acknowledged} of ${err.requested} replica(s)`);
  }
  // Three tries with the same operationId: stored once.
  console.log(`stored: ${(await history.getMessages()).length}`);
  await history.clear();
} finally {
  await history.close();
}
