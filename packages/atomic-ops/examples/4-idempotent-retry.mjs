import { randomUUID } from 'node:crypto';
import { AtomicOperations, InvalidArgumentError } from '@x/atomic-ops';

const ops = new AtomicOperations(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
  prefix: 'example-retry',
  cacheScope: 'session', // the cache lives under the session's hash tag: one atomic call on a cluster too
});
try {
  const sessionId = 'session-retry';
  await ops.deleteSession(sessionId);

  // The id is made once per logical operation and reused by every retry of it.
  const operationId = randomUUID();
  const message = { role: 'user', content: 'Book a table for two' };
  const first = await ops.appendMessage(sessionId, message, { operationId });
  const retry = await ops.appendMessage(sessionId, message, { operationId }); // e.g. after a timeout
  console.log(`first: ${first}, retry: ${retry}, stored: ${(await ops.getMessages(sessionId)).length}`);

  // Bad input never reaches Redis.
  try {
    await ops.appendMessage(sessionId, { role: 'user', content: 'x', sentAt: new Date() });
  } catch (err) {
    if (err instanceof InvalidArgumentError) console.log(`rejected: ${err.message}`);
  }
} finally {
  await ops.close();
}
