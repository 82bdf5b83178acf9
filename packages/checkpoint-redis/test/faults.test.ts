import type { RunnableConfig } from '@langchain/core/runnables';
import { uuid6 } from '@langchain/langgraph-checkpoint';
import { countLostAndDuplicated } from '@x/tooling/faults';
import { connectTarget, describeFaults } from '@x/tooling/vitest';
import { isRetryable } from '../src/index.js';
import { checkpoint, meta, toArray } from './fixtures.js';
import { makeSaver } from './helpers.js';

/**
 * `put` under faults, one thread per writer, retried by the caller while
 * `isRetryable` says so. A retry writes the same checkpoint id again (a put is
 * keyed by it), so every acknowledged checkpoint must be listed once.
 */
describeFaults({
  package: '@x/checkpoint-redis',
  standalone: ['connection-kill', 'script-flush', 'loading'],
  cluster: ['connection-kill', 'script-flush', 'master-stall', 'master-kill'],
  lossMeasuredOnly: ['master-stall'],
  isRetryable,
  noDuplicates: true,
  writers: 4,
  async open(topology) {
    const client = await connectTarget(topology);
    const saver = makeSaver(client as never);
    const thread = (w: number): RunnableConfig => ({ configurable: { thread_id: `faults-w${w}`, checkpoint_ns: '' } });
    const parents = new Map<number, RunnableConfig>();
    const ids = new Map<string, string>(); // a retried call puts the same checkpoint id
    return {
      workload: 'put (keyed by checkpoint id), retried by the caller',
      async op({ writer, seq, id }) {
        const checkpointId = ids.get(id) ?? ids.set(id, uuid6(-1)).get(id)!;
        const config = await saver.put(parents.get(writer) ?? thread(writer), checkpoint({ x: id }, { x: seq + 1 }, checkpointId), meta(seq), { x: seq + 1 });
        parents.set(writer, config);
        ids.delete(id);
        return checkpointId;
      },
      async audit(acked) {
        const stored: string[] = [];
        for (const w of new Set(acked.map((a) => a.writer))) {
          stored.push(...(await toArray(saver.list(thread(w)))).map((t) => String(t.config.configurable?.checkpoint_id)));
        }
        return countLostAndDuplicated(
          acked.map((a) => a.value),
          stored,
        );
      },
      async close() {
        await saver.close?.();
        await client.close();
      },
    };
  },
});
