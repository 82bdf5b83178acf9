import { connectTarget, describeFaults } from '@x/tooling/vitest';
import { isRetryable, RedisStore } from '../src/index.js';
import { testPrefix } from './helpers.js';

/**
 * `put` under faults, one namespace per writer, retried by the caller while
 * `isRetryable` says so. A put is keyed (namespace, key), so a retry rewrites
 * the same item: every acknowledged item must read back with its value.
 */
describeFaults({
  package: '@x/langgraph-store',
  standalone: ['connection-kill', 'script-flush', 'loading'],
  cluster: ['connection-kill', 'script-flush', 'master-stall', 'master-kill'],
  lossMeasuredOnly: ['master-stall'],
  isRetryable,
  noDuplicates: true,
  async open(topology) {
    const client = await connectTarget(topology);
    const store = new RedisStore(client as never, { prefix: testPrefix('faults') });
    const namespace = (w: number) => ['faults', `w${w}`];
    return {
      workload: 'put (keyed), retried by the caller',
      op: ({ writer, id }) => store.put(namespace(writer), id, { id }),
      async audit(acked) {
        let lost = 0;
        for (let i = 0; i < acked.length; i += 200) {
          const items = await Promise.all(acked.slice(i, i + 200).map((a) => store.get(namespace(a.writer), a.id)));
          lost += items.filter((item, j) => item?.value.id !== acked[i + j]!.id).length;
        }
        // A keyed put cannot store an item twice: duplicated is 0 by construction.
        return { lost, duplicated: 0 };
      },
      async close() {
        await store.close();
        await client.close();
      },
    };
  },
});
