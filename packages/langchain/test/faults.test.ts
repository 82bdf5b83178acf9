import { HumanMessage } from '@langchain/core/messages';
import { countLostAndDuplicated } from '@x/tooling/faults';
import { connectTarget, describeFaults, randomPrefix } from '@x/tooling/vitest';
import { isRetryable, RedisChatMessageHistory } from '../src/index.js';

/** A writer's history for a call: a new one every 500 calls keeps each under the stored-operation-id limit. */
const sessionKey = (writer: number, seq: number) => `faults:w${writer}:${Math.floor(seq / 500)}`;

/**
 * `addMessage` with an `operationId` under faults, retried by the caller while
 * `isRetryable` says so: every acknowledged message is in its history exactly
 * once (without the id, a retry after a reply lost with its connection appends
 * the message twice: 56 duplicates in one standalone run).
 */
describeFaults({
  package: '@x/langchain',
  standalone: ['connection-kill', 'script-flush', 'loading'],
  cluster: ['connection-kill', 'script-flush', 'master-stall', 'master-kill'],
  lossMeasuredOnly: ['master-stall'],
  isRetryable,
  noDuplicates: true,
  async open(topology) {
    const client = await connectTarget(topology);
    const prefix = randomPrefix('langchain-faults');
    const histories = new Map<string, RedisChatMessageHistory>();
    const historyOf = (key: string) =>
      histories.get(key) ?? histories.set(key, new RedisChatMessageHistory(client as never, { prefix, sessionId: key, maxMessages: 0 })).get(key)!;
    return {
      workload: 'addMessage with operationId, retried by the caller',
      op: ({ writer, seq, id }) => historyOf(sessionKey(writer, seq)).addMessage(new HumanMessage(id), { operationId: id }),
      async audit(acked) {
        const stored: string[] = [];
        for (const history of histories.values()) stored.push(...(await history.getMessages()).map((m) => String(m.content)));
        return countLostAndDuplicated(
          acked.map((a) => a.id),
          stored,
        );
      },
      async close() {
        for (const h of histories.values()) await h.close();
        await client.close();
      },
    };
  },
});
