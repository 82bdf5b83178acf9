import { countLostAndDuplicated } from '@x/tooling/faults';
import { connectTarget, describeFaults, randomPrefix } from '@x/tooling/vitest';
import { isRetryable, RedisSession } from '../src/index.js';

/** A writer's session for a call: a new session every 500 calls keeps each under the stored-operation-id limit. */
const sessionKey = (writer: number, seq: number) => `faults:w${writer}:${Math.floor(seq / 500)}`;

/**
 * `applyHistoryTransaction` (`append_items` with an `operationId`) under
 * faults, retried by the caller while `isRetryable` says so: every
 * acknowledged item is in its session exactly once.
 */
describeFaults({
  package: '@x/openai-agents',
  standalone: ['connection-kill', 'script-flush', 'loading'],
  cluster: ['connection-kill', 'script-flush', 'master-stall', 'master-kill'],
  lossMeasuredOnly: ['master-stall'],
  isRetryable,
  noDuplicates: true,
  async open(topology) {
    const client = await connectTarget(topology);
    const prefix = randomPrefix('openai-agents-faults');
    const sessions = new Map<string, RedisSession>();
    const sessionOf = (key: string) => sessions.get(key) ?? sessions.set(key, new RedisSession(client as never, { prefix, sessionId: key, maxItems: 0 })).get(key)!;
    return {
      workload: 'applyHistoryTransaction append_items with operationId, retried by the caller',
      op: ({ writer, seq, id }) =>
        sessionOf(sessionKey(writer, seq)).applyHistoryTransaction({
          operationId: id,
          transaction: { type: 'append_items', items: [{ role: 'user', content: id }] },
        }),
      async audit(acked) {
        const stored: string[] = [];
        for (const key of new Set(acked.map((a) => sessionKey(a.writer, a.seq)))) {
          stored.push(...(await sessionOf(key).getItems()).map((item) => String((item as { content: unknown }).content)));
        }
        return countLostAndDuplicated(
          acked.map((a) => a.id),
          stored,
        );
      },
      async close() {
        for (const s of sessions.values()) await s.close();
        await client.close();
      },
    };
  },
});
