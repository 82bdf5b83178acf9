// pnpm --filter @x/langgraph-store bench (second part): batch over node-redis and over ioredis,
// each next to its raw client sending the same commands (runClientsBench).
import { randomBytes } from 'node:crypto';
import { runClientsBench } from '@x/tooling/bench';
import { RedisStore } from '../src/index.js';

const USERS = 64;
const valueOf = (i: number) => ({ text: `memory ${i} `.padEnd(120, '.'), kind: i % 3 === 0 ? 'fact' : 'episode', score: i % 100 });

await runClientsBench({
  title: '@x/langgraph-store on node-redis and ioredis',
  notes: [`batch: 2 puts and 2 gets under one user's namespace (${USERS} users)`],
  ops: [
    {
      name: 'batch (2 put + 2 get)',
      async make(client, _kind, closers) {
        const store = new RedisStore(client as never, { prefix: `bench-clients-${randomBytes(3).toString('hex')}` });
        closers.push(() => store.close());
        let n = 0;
        return () => {
          const i = n++;
          const namespace = ['users', `u${i % USERS}`, 'memories'];
          return store.batch([
            { namespace, key: `k${i % 500}`, value: valueOf(i) },
            { namespace, key: `k${(i + 1) % 500}`, value: valueOf(i + 1) },
            { namespace, key: `k${(i + 7) % 500}` },
            { namespace, key: `k${(i + 9) % 500}` },
          ]);
        };
      },
    },
  ],
});
