/**
 * Example and smoke test of the bench runner against a harness Redis:
 * `pnpm --filter @x/tooling bench` (X_BENCH_QUICK=1 for a short run).
 */
import { runBench } from '@x/tooling/bench';
import { connectClient, randomPrefix, resolveRedis } from '@x/tooling/redis';

const redis = await resolveRedis('standalone');
const client = await connectClient(redis.url);
const prefix = randomPrefix('bench');
let i = 0;

try {
  await runBench({
    title: 'node-redis baseline',
    notes: [redis.summary],
    cases: [
      { group: 'single key', name: 'GET (node-redis)', baseline: true, fn: () => client.get(`${prefix}k`) },
      { group: 'single key', name: 'SET PX (node-redis)', fn: () => client.set(`${prefix}k`, 'v', { expiration: { type: 'PX', value: 60_000 } }) },
      { group: 'single key', name: 'GET x16 concurrent', fn: () => client.get(`${prefix}k`), concurrency: 16 },
      {
        group: 'multi key',
        name: 'MULTI SET+PEXPIRE',
        baseline: true,
        fn: () => {
          const key = `${prefix}{m}${i++ % 100}`;
          return client.multi().set(key, 'v').pExpire(key, 60_000).exec();
        },
      },
      {
        group: 'multi key',
        name: 'EVAL SET+PEXPIRE',
        fn: () =>
          client.eval("redis.call('SET', KEYS[1], ARGV[1]); return redis.call('PEXPIRE', KEYS[1], ARGV[2])", {
            keys: [`${prefix}{m}${i++ % 100}`],
            arguments: ['v', '60000'],
          }),
      },
      { group: 'multi key', name: 'PostgreSQL equivalent', skip: 'not part of this example' },
      {
        group: 'custom metric',
        name: 'PING round trip',
        metric: 'PING latency',
        measure: async () => {
          const samples: number[] = [];
          for (let n = 0; n < 200; n++) {
            const t0 = performance.now();
            await client.ping();
            samples.push(performance.now() - t0);
          }
          return samples;
        },
      },
    ],
  });
} finally {
  client.destroy();
  await redis.stop();
}
