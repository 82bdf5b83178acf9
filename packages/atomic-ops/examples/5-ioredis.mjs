import { Redis } from 'ioredis';
import { AtomicOperations } from '@x/atomic-ops';

// An ioredis client of your own: the instance uses it as is and never closes it.
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const ops = new AtomicOperations(redis, { prefix: 'example-chat-ioredis' });

const sessionId = 'user:42 {support}';
await ops.deleteSession(sessionId); // start clean when the example runs twice
await ops.appendMessage(sessionId, { role: 'user', content: 'Hello' }, { maxMessages: 3 });
const count = await ops.appendMessage(sessionId, { role: 'assistant', content: 'Hi!' }, { maxMessages: 3 });
const window = await ops.getMessages(sessionId);
console.log(`appended ${count}: ${window.map((m) => m.role).join(', ')}`);

await ops.close(); // leaves the ioredis client open
await redis.quit();
