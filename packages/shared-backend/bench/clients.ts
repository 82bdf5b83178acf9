// pnpm --filter @x/shared-backend bench (second part): bufferAppend over node-redis and over ioredis,
// each next to its raw client sending the same commands (runClientsBench).
import { randomPrefix } from '@x/tooling/redis';
import { runClientsBench } from '@x/tooling/bench';
import { RedisBackend } from '../src/index.js';

const THREADS = 1000;
const slot = JSON.stringify({ role: 'tool', content: 'x'.repeat(200) });

await runClientsBench({
  title: '@x/shared-backend on node-redis and ioredis',
  notes: [`bufferAppend of a ${slot.length}-byte slot to one of ${THREADS} threads, ttlMs 1 h`],
  ops: [
    {
      name: 'bufferAppend',
      async make(client, _kind, closers) {
        const backend = new RedisBackend(client as never, { prefix: randomPrefix('bench-sb-clients'), ttlMs: 3_600_000 });
        closers.push(() => backend.close());
        let n = 0;
        return () => backend.bufferAppend(`t${n++ % THREADS}`, slot);
      },
    },
  ],
});
