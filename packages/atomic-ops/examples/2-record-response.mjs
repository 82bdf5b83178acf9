import { createHash } from 'node:crypto';
import { createClient } from 'redis';
import { AtomicOperations } from '@x/atomic-ops';

// A node-redis client you own: the instance never closes it.
const client = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
await client.connect();
const ops = new AtomicOperations(client, { prefix: 'example-record' });

const sessionId = 'session-7';
await ops.deleteSession(sessionId);
const question = 'What is the capital of France?';
const queryHash = createHash('sha256').update(`gpt-x|${question}`).digest('hex');
await ops.invalidateCachedResponse(queryHash);

const cached = await ops.getCachedResponse(queryHash);
const answer = cached?.response ?? 'Paris.'; // on a miss, call your model here
// Cache entry, both messages, tokens, latency and the response counter: one atomic call
// (on a cluster with the global cache: two atomic halves in one round trip, see the README).
await ops.recordResponse({
  sessionId,
  queryHash,
  response: answer,
  userMessage: { role: 'user', content: question },
  assistantMessage: { role: 'assistant', content: answer },
  latencyMs: 412,
  inputTokens: 14,
  outputTokens: 3,
  cacheTtlMs: 600_000,
  operationId: 'turn-1', // a retry of this call writes nothing twice
});

const hit = await ops.getCachedResponse(queryHash); // the hit is counted atomically
console.log(`cached: ${hit?.response} (hits: ${hit?.hits})`);
const s = await ops.getSession(sessionId);
console.log(`messages ${s?.messageCount}, responses ${s?.responses}, tokens ${s?.inputTokens}+${s?.outputTokens}, latency ${s?.totalLatencyMs} ms`);

await client.close();
