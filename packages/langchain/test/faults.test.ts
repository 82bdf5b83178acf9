import { HumanMessage } from '@langchain/core/messages';
import { countLostAndDuplicated } from '@x/tooling/faults';
import { connectTarget, describeFaults, randomPrefix } from '@x/tooling/vitest';
import { isRetryable, RedisChatMessageHistory } from '../src/index.js';

/**
 * `addMessage` under faults, one history per writer, retried by the caller
 * while `isRetryable` says so. The call takes no operation id: a retry after
 * a reply lost with its connection can append the message twice, so
 * duplicates are counted and printed, not asserted; nothing acknowledged may
 * be missing.
 */
describeFaults({
  package: '@x/langchain',
  standalone: ['connection-kill', 'script-flush', 'loading'],
  cluster: ['connection-kill', 'script-flush'],
  isRetryable,
  noDuplicates: false,
  async open(topology) {
    const client = await connectTarget(topology);
    const prefix = randomPrefix('langchain-faults');
    const histories = new Map<number, RedisChatMessageHistory>();
    const historyOf = (w: number) =>
      histories.get(w) ?? histories.set(w, new RedisChatMessageHistory(client as never, { prefix, sessionId: `faults:w${w}`, maxMessages: 0 })).get(w)!;
    return {
      workload: 'addMessage (no operation id), retried by the caller',
      op: ({ writer, id }) => historyOf(writer).addMessage(new HumanMessage(id)),
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
