/**
 * `pnpm --filter @x/redis-adapter bench`: the adapter's main operations over
 * node-redis and over ioredis, each side by side with the raw client doing the
 * same thing (EVALSHA of one small script; a pipeline of 10 script calls), 64
 * concurrent callers. The overhead to compare is each adapter row's ratio to its
 * own raw baseline. Against a harness-started standalone redis-server (or REDIS_URL).
 */
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { defineScript } from '@x/lua-scripts';
import { runBench, type BenchCase, type BenchReport } from '@x/tooling/bench';
import { connectClient, resolveRedis } from '@x/tooling/redis';
import { createRedisAdapter, type RedisAdapter } from '../src/index.js';

const CONCURRENCY = 64;
const PIPELINE = 10;

const incr = defineScript({
  name: 'bench/incr',
  source: "return redis.call('INCRBY', KEYS[1], ARGV[1])",
  keys: ['counter'],
  args: ['by'],
});

/** The cases of one client library: raw EVALSHA (baseline), the adapter's runScript, and a pipeline of each. */
function casesFor(
  label: string,
  raw: { evalsha(key: string): Promise<unknown>; pipeline(keys: string[]): Promise<unknown> },
  adapter: RedisAdapter,
): BenchCase[] {
  let n = 0;
  const key = () => `bench:{${label.replace(/ /g, '-')}-${n++ % CONCURRENCY}}:n`;
  const keys = () => Array.from({ length: PIPELINE }, () => key());
  return [
    { group: `runScript x${CONCURRENCY} (${label})`, name: `raw ${label} EVALSHA`, baseline: true, concurrency: CONCURRENCY, fn: () => raw.evalsha(key()) },
    {
      group: `runScript x${CONCURRENCY} (${label})`,
      name: `@x/redis-adapter on ${label}`,
      concurrency: CONCURRENCY,
      fn: () => adapter.runScript(incr, { keys: [key()], args: [1] }),
    },
    {
      group: `pipeline of ${PIPELINE} x${CONCURRENCY} (${label})`,
      name: `raw ${label} pipeline`,
      baseline: true,
      concurrency: CONCURRENCY,
      fn: () => raw.pipeline(keys()),
    },
    {
      group: `pipeline of ${PIPELINE} x${CONCURRENCY} (${label})`,
      name: `@x/redis-adapter on ${label}`,
      concurrency: CONCURRENCY,
      fn: () => adapter.pipeline(keys().map((k) => ({ script: incr, keys: [k], args: [1] }))),
    },
  ];
}

/** Each adapter row's ops/s as a share of its raw baseline's, per client: the overhead to compare. */
function printOverhead(report: BenchReport): void {
  console.log('\nadapter ops/s as a share of the raw client (same group, same run):');
  const groups = [...new Set(report.results.map((r) => r.group))];
  for (const group of groups) {
    const rows = report.results.filter((r) => r.group === group);
    const base = rows.find((r) => r.baseline);
    const ours = rows.find((r) => !r.baseline);
    if (!base?.opsPerSec || !ours?.opsPerSec) continue;
    console.log(`  ${group.padEnd(46)} ${((ours.opsPerSec / base.opsPerSec) * 100).toFixed(0)} %`);
  }
}

const redis = await resolveRedis('standalone');
const node = await connectClient(redis.url);
// node-redis 6 arms a 5 000 ms timer per command by default (ioredis has none); a client without it shows
// the adapter's own overhead, the default client how much the adapter's shared deadlines save.
const node0 = createClient({ url: redis.url, commandOptions: { timeout: 0 } } as Parameters<typeof createClient>[0]);
node0.on('error', () => undefined);
await node0.connect();
const io = new Redis(redis.url);
io.on('error', () => undefined);
const nodeAdapter = createRedisAdapter(node);
const node0Adapter = createRedisAdapter(node0);
const ioAdapter = createRedisAdapter(io);
try {
  const sha = String(await node.sendCommand(['SCRIPT', 'LOAD', incr.source]));
  const nodeRaw = {
    evalsha: (k: string) => node.sendCommand(['EVALSHA', sha, '1', k, '1']),
    pipeline: (ks: string[]) => Promise.all(ks.map((k) => node.sendCommand(['EVALSHA', sha, '1', k, '1']))),
  };
  const node0Raw = {
    evalsha: (k: string) => node0.sendCommand(['EVALSHA', sha, '1', k, '1']),
    pipeline: (ks: string[]) => Promise.all(ks.map((k) => node0.sendCommand(['EVALSHA', sha, '1', k, '1']))),
  };
  const ioRaw = {
    evalsha: (k: string) => io.evalsha(sha, 1, k, 1),
    pipeline: (ks: string[]) => {
      const p = io.pipeline();
      for (const k of ks) p.evalsha(sha, 1, k, 1);
      return p.exec();
    },
  };
  const report = await runBench({
    title: '@x/redis-adapter',
    notes: [
      redis.summary,
      'node-redis 6.3.1 and ioredis 5.9.2 clients with default options, one connection each; raw rows send the same EVALSHA by hand',
      '"node-redis timeout 0": a node-redis client with commandOptions.timeout 0 (no timer per command, like ioredis): the like-for-like baseline for the adapter overhead',
      `${CONCURRENCY} concurrent callers; the pipeline rows send ${PIPELINE} script calls per call (node-redis: written in one tick; ioredis raw: Pipeline.exec)`,
    ],
    cases: [
      ...casesFor('node-redis', nodeRaw, nodeAdapter),
      ...casesFor('node-redis timeout 0', node0Raw, node0Adapter),
      ...casesFor('ioredis', ioRaw, ioAdapter),
    ],
  });
  printOverhead(report);
} finally {
  await nodeAdapter.close();
  await node0Adapter.close();
  await ioAdapter.close();
  await node.close();
  await node0.close();
  await io.quit();
  await redis.stop();
}
