// pnpm --filter @x/atomic-ops bench (second part): appendMessage and recordResponse over node-redis
// and over ioredis, each next to its raw client sending the same commands (runClientsBench).
import { randomUUID } from 'node:crypto';
import { runClientsBench, type BenchClientKind } from '@x/tooling/bench';
import { AtomicOperations } from '../src/index.js';

const TTL_MS = 3_600_000;
const SESSIONS = 64;
const message = { role: 'user', content: 'What is the weather like in Paris today? '.repeat(4) };

function opsOn(client: object, kind: BenchClientKind, closers: (() => Promise<unknown>)[]) {
  const ops = new AtomicOperations(client as never, { prefix: `bench-clients-${kind}-${randomUUID().slice(0, 8)}`, ttlMs: TTL_MS });
  closers.push(() => ops.close());
  return ops;
}

await runClientsBench({
  title: '@x/atomic-ops on node-redis and ioredis',
  notes: [`${SESSIONS} sessions; appendMessage with maxMessages 100; recordResponse with both messages, tokens, latency and a cached response`],
  ops: [
    {
      name: 'appendMessage',
      async make(client, kind, closers) {
        const ops = opsOn(client, kind, closers);
        let n = 0;
        return () => ops.appendMessage(`s-${n++ % SESSIONS}`, message, { maxMessages: 100 });
      },
    },
    {
      name: 'recordResponse',
      async make(client, kind, closers) {
        const ops = opsOn(client, kind, closers);
        let n = 0;
        return () => {
          const i = n++;
          return ops.recordResponse({
            sessionId: `s-${i % SESSIONS}`,
            queryHash: `q-${i % 1024}`,
            response: 'Sunny, 24 degrees.',
            userMessage: message,
            assistantMessage: { role: 'assistant', content: 'Sunny, 24 degrees.' },
            latencyMs: 412,
            inputTokens: 14,
            outputTokens: 3,
            maxMessages: 100,
          });
        };
      },
    },
  ],
});
