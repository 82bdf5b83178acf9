// pnpm --filter @x/lock bench (second part): acquire + release over node-redis and over ioredis,
// each next to its raw client sending the same commands; see @x/tooling/bench runClientsBench.
import { randomBytes } from 'node:crypto';
import { runClientsBench } from '@x/tooling/bench';
import { createRedisAdapter } from '@x/redis-adapter';
import { createLock } from '../dist/index.js';

const run = randomBytes(3).toString('hex');

await runClientsBench({
  title: '@x/lock on node-redis and ioredis',
  ops: [
    {
      name: 'acquire + release',
      async make(client, kind, closers) {
        const adapter = createRedisAdapter(client as never);
        closers.push(() => adapter.close());
        let n = 0;
        const tag = randomBytes(3).toString('hex');
        return async () => {
          const lock = createLock(adapter, `bench:${run}:${kind}:${tag}:${n++ % 1024}`, { ttlMs: 30_000 });
          const held = await lock.acquire();
          await held.release();
        };
      },
    },
  ],
});
