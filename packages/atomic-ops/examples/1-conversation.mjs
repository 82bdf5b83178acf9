import { AtomicOperations } from '@x/atomic-ops';

// From a URL the instance owns the connection: close() ends it.
const ops = new AtomicOperations(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { prefix: 'example-chat' });
try {
  const sessionId = 'user:42 {support}'; // ids are data: `:`, `{`, `}`, `*` and unicode are fine
  await ops.deleteSession(sessionId); // start clean when the example runs twice

  // One atomic script call each: push, count, stamp, trim to the window, refresh every TTL.
  await ops.appendMessage(sessionId, { role: 'system', content: 'You are a helpful agent.' }, { maxMessages: 3 });
  await ops.appendMessage(sessionId, { role: 'user', content: 'Hello' }, { maxMessages: 3 });
  await ops.appendMessage(sessionId, { role: 'assistant', content: 'Hi! How can I help?' }, { maxMessages: 3 });
  const count = await ops.appendMessage(sessionId, { role: 'user', content: 'Reset my password' }, { maxMessages: 3, ttlMs: 3_600_000 });

  const window = await ops.getMessages(sessionId);
  console.log(`appended ${count}, kept ${window.length}: ${window.map((m) => m.role).join(', ')}`);
  const last = await ops.getMessages(sessionId, { last: 1 });
  console.log(`last: ${JSON.stringify(last[0])}`);

  const session = await ops.getSession(sessionId);
  console.log(`messageCount ${session?.messageCount}, expires in <= ${Math.ceil((session?.ttlMs ?? 0) / 60_000)} min`);
} finally {
  await ops.close();
}
