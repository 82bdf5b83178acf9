import { randomBytes } from 'node:crypto';
import { defineScript } from '@x/lua-scripts';
import { countLostAndDuplicated } from '@x/tooling/faults';
import { describeFaults } from '@x/tooling/vitest';
import { createRedisAdapter, isRetryable } from '../src/index.js';

/** Appends an id to a list once: a retry of an applied call finds its id in the set and writes nothing. */
const appendOnce = defineScript({
  name: 'test/faults-append-once',
  source: "if redis.call('SADD', KEYS[2], ARGV[1]) == 1 then redis.call('RPUSH', KEYS[1], ARGV[1]) end return 1",
  keys: ['list', 'ids'],
  args: ['id'],
});

/**
 * The adapter under faults: script calls (EVALSHA with the NOSCRIPT fallback),
 * retried by the caller while `isRetryable` says so. Each writer appends to its
 * own list; the id set makes a retry of an applied call a no-op.
 */
describeFaults({
  package: '@x/redis-adapter',
  standalone: ['connection-kill', 'script-flush', 'loading'],
  cluster: ['connection-kill', 'script-flush', 'master-stall', 'master-kill'],
  lossMeasuredOnly: ['master-stall'],
  isRetryable,
  noDuplicates: true,
  async open(topology) {
    const adapter = createRedisAdapter(topology.kind === 'standalone' ? topology.url : { rootNodes: topology.rootNodes });
    await adapter.ready();
    const prefix = `t:faults-${randomBytes(4).toString('hex')}`;
    const keys = (w: number) => ({ list: `${prefix}:{w${w}}:list`, ids: `${prefix}:{w${w}}:ids` });
    return {
      workload: 'runScript append, retried by the caller with the same id (id set in the script)',
      op: ({ writer, id }) => adapter.runScript(appendOnce, { keys: keys(writer), args: { id } }),
      async audit(acked) {
        const writers = [...new Set(acked.map((a) => a.writer))];
        const stored: string[] = [];
        for (const w of writers) {
          const { list } = keys(w);
          stored.push(...(await adapter.command<string[]>({ command: ['LRANGE', list, 0, -1], keys: [list] })));
        }
        return countLostAndDuplicated(acked.map((a) => a.id), stored);
      },
      close: () => adapter.close(),
    };
  },
});
