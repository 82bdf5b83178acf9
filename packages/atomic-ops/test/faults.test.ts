import { countLostAndDuplicated } from '@x/tooling/faults';
import { connectTarget, describeFaults, randomPrefix } from '@x/tooling/vitest';
import { isRetryable } from '@x/redis-adapter';
import { AtomicOperations } from '../src/index.js';

/** A writer's session for a call: a new session every 500 calls keeps each under the stored-operation-id limit. */
const session = (writer: number, seq: number) => `faults:w${writer}:${Math.floor(seq / 500)}`;

/**
 * `appendMessage` with an `operationId` under faults, retried by the caller
 * while `isRetryable` says so: no acknowledged message may be missing and none
 * may be there twice. A stalled master is failed over while it still accepts
 * calls; without a durability option, the messages it acknowledged before it
 * learned of its demotion are lost by Redis' asynchronous replication: that
 * loss is measured and printed, not asserted.
 */
describeFaults({
  package: '@x/atomic-ops',
  standalone: ['connection-kill', 'script-flush', 'loading'],
  cluster: ['connection-kill', 'script-flush', 'master-stall', 'master-kill'],
  isRetryable,
  noDuplicates: true,
  lossMeasuredOnly: ['master-stall'],
  async open(topology) {
    const client = await connectTarget(topology);
    const ops = new AtomicOperations(client as never, { prefix: randomPrefix('atomic-ops-faults'), maxMessages: 0 });
    return {
      workload: 'appendMessage with operationId, retried by the caller',
      op: ({ writer, seq, id }) => ops.appendMessage(session(writer, seq), { role: 'user', content: id }, { operationId: id }),
      async audit(acked) {
        const stored: string[] = [];
        for (const s of new Set(acked.map((a) => session(a.writer, a.seq)))) {
          stored.push(...(await ops.getMessages<{ role: string; content: string }>(s)).map((m) => m.content));
        }
        return countLostAndDuplicated(acked.map((a) => a.id), stored);
      },
      async close() {
        await ops.close();
        await client.close();
      },
    };
  },
});
