/**
 * `pnpm --filter @x/redis-adapter bench`: the adapter's main operations over
 * node-redis and over ioredis, each side by side with the raw client doing the
 * same thing (EVALSHA of one small script; of a script replying 12 values of
 * 300 bytes, as Buffers; a pipeline of 10 script calls), 64 concurrent callers.
 * The overhead to compare is each adapter row against its own raw baseline: its
 * share of the raw ops/s, and the CPU it adds per call. Against a
 * harness-started standalone redis-server (or REDIS_URL).
 */
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { defineScript } from '@x/lua-scripts';
import { corkForTick, quartiles, runBench, type BenchCase, type BenchReport } from '@x/tooling/bench';
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

const range = defineScript({
  name: 'bench/range',
  source: "return redis.call('LRANGE', KEYS[1], '0', '-1')",
  keys: ['list'],
  args: [],
});
/** The list `range` replies with: 12 values of 300 bytes (about what a checkpoint read returns). */
const LIST_KEY = 'bench:{range}:list';
const LIST = Array.from({ length: 12 }, (_, i) => `${i}:`.padEnd(300, '.'));

/** What the raw rows of one client library send by hand. */
interface Raw {
  evalsha(key: string): Promise<unknown>;
  /** EVALSHA of `range`, the reply as Buffers. */
  range(): Promise<unknown>;
  pipeline(keys: string[]): Promise<unknown>;
}

/** The cases of one client library: raw EVALSHA (baseline) and the adapter's runScript, for each kind of call. */
function casesFor(label: string, raw: Raw, adapter: RedisAdapter): BenchCase[] {
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
    { group: `12 x 300 B reply x${CONCURRENCY} (${label})`, name: `raw ${label} EVALSHA`, baseline: true, concurrency: CONCURRENCY, fn: () => raw.range() },
    {
      group: `12 x 300 B reply x${CONCURRENCY} (${label})`,
      name: `@x/redis-adapter on ${label}`,
      concurrency: CONCURRENCY,
      fn: () => adapter.runScript(range, { keys: [LIST_KEY], args: [] }, { returnBuffers: true }),
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

/**
 * Each adapter row against its raw baseline, per client: its share of the raw ops/s, and the CPU
 * it adds per call (the median over the rounds of the difference within one round, and its IQR).
 */
function printOverhead(report: BenchReport): void {
  console.log('\nthe adapter against the raw client (same group, same run): ops/s share, CPU µs it adds per call (median of rounds, IQR):');
  const groups = [...new Set(report.results.map((r) => r.group))];
  for (const group of groups) {
    const rows = report.results.filter((r) => r.group === group);
    const base = rows.find((r) => r.baseline);
    const ours = rows.find((r) => !r.baseline);
    if (!base?.opsPerSec || !ours?.opsPerSec) continue;
    const added = quartiles(ours.vsBaseline?.addedCpuUsRounds);
    const cpu = added ? `${added.median.toFixed(2).padStart(6)} µs  (${added.q1.toFixed(2)} to ${added.q3.toFixed(2)})` : 'n/a';
    console.log(`  ${group.padEnd(46)} ${((ours.opsPerSec / base.opsPerSec) * 100).toFixed(0).padStart(4)} %   ${cpu}`);
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
  const rangeSha = String(await node.sendCommand(['SCRIPT', 'LOAD', range.source]));
  await node.sendCommand(['DEL', LIST_KEY]);
  await node.sendCommand(['RPUSH', LIST_KEY, ...LIST]);
  const BUFFERS = { typeMapping: { 36: Buffer, 43: Buffer } } as never;
  const nodeRawOn = (client: typeof node): Raw => ({
    evalsha: (k) => client.sendCommand(['EVALSHA', sha, '1', k, '1']),
    range: () => client.sendCommand(['EVALSHA', rangeSha, '1', LIST_KEY], BUFFERS),
    pipeline: (ks) => Promise.all(ks.map((k) => client.sendCommand(['EVALSHA', sha, '1', k, '1']))),
  });
  // ioredis writes each command on its own unless the socket is corked; the adapter corks it for
  // the tick (one write for the calls of one tick, as node-redis makes), and so does the raw row.
  const ioRaw: Raw = {
    evalsha: (k) => {
      corkForTick(io);
      return io.evalsha(sha, 1, k, 1);
    },
    range: () => {
      corkForTick(io);
      return io.callBuffer('EVALSHA', rangeSha, '1', LIST_KEY);
    },
    pipeline: (ks) => {
      corkForTick(io);
      return Promise.all(ks.map((k) => io.evalsha(sha, 1, k, 1)));
    },
  };
  const report = await runBench({
    title: '@x/redis-adapter',
    notes: [
      redis.summary,
      'node-redis 6.3.1 and ioredis 5.9.2 clients with default options, one connection each; raw rows send the same EVALSHA by hand',
      '"node-redis timeout 0": a node-redis client with commandOptions.timeout 0 (no timer per command, like ioredis): the like-for-like baseline for the adapter overhead',
      `${CONCURRENCY} concurrent callers; the pipeline rows send ${PIPELINE} script calls per call, written in one tick (raw ioredis: its socket corked for the tick, as the adapter does)`,
    ],
    cases: [
      ...casesFor('node-redis', nodeRawOn(node), nodeAdapter),
      ...casesFor('node-redis timeout 0', nodeRawOn(node0 as typeof node), node0Adapter),
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
