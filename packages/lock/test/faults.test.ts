import { connectTarget, describeFaults } from '@x/tooling/vitest';
import { createLock, isRetryable, type Lock } from '../src/index.js';
import { lockName, testPrefix } from './helpers.js';

/**
 * Acquire + release under faults, one lock per writer, each step retried by
 * the caller while `isRetryable` says so. What must hold: the fencing tokens a
 * lock hands out keep rising (a token not above the one before it counts as
 * lost: the counter it came from went back), and no token is handed out twice.
 */
describeFaults({
  package: '@x/lock',
  standalone: ['connection-kill', 'script-flush', 'loading'],
  cluster: ['connection-kill', 'script-flush', 'master-stall', 'master-kill'],
  lossMeasuredOnly: ['master-stall'],
  isRetryable,
  noDuplicates: true,
  async open(topology) {
    const client = await connectTarget(topology);
    const prefix = testPrefix('faults');
    const locks = new Map<number, Lock>();
    // A short lease: an acquire applied whose reply was lost blocks the retry only until it runs out.
    const lockOf = (w: number) => locks.get(w) ?? locks.set(w, createLock(client as never, lockName(`w${w}`), { prefix, ttlMs: 1000 })).get(w)!;
    return {
      workload: 'acquire then release, each step retried by the caller',
      async op({ writer, step }) {
        const held = await step(() => lockOf(writer).acquire({ timeoutMs: 15_000 }));
        await step(() => held.release());
        return held.fencingToken;
      },
      async audit(acked) {
        let lost = 0;
        let duplicated = 0;
        const last = new Map<number, number>();
        for (const { writer, value } of acked) {
          const before = last.get(writer) ?? -1;
          if (value === before) duplicated++;
          else if (value < before) lost++;
          last.set(writer, Math.max(before, value));
        }
        return { lost, duplicated };
      },
      async close() {
        for (const lock of locks.values()) await lock.close();
        await client.close();
      },
    };
  },
});
