// pnpm --filter @x/lock bench
// @x/lock side by side with redis-semaphore's Mutex, @sesamecare-oss/redlock and raw node-redis
// (SET NX PX + a release script), all against one harness-started Redis, in one run.
// The lock comes from dist/ (turbo builds it first): the code users get, not the sources through tsx.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Redlock } from '@sesamecare-oss/redlock';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { Mutex } from 'redis-semaphore';
import { startDelayProxy } from '@x/tooling/proxy';
import { isQuick, runBench, type BenchCase, type CaseResult } from '@x/tooling/bench';
import { resolveRedis } from '@x/tooling/redis';
import { createRedisAdapter } from '@x/redis-adapter';
import { createLock } from '../dist/index.js';
import { CONTENDER_NAMES, runContention, type ContenderId, type ContentionRun } from './contention.js';
import { formatServerCost, measureServerCost } from './server-cost.js';

const quick = isQuick();
/**
 * `X_LOCK_BENCH=contention` runs only the multi-process contention part, `X_LOCK_BENCH=server-cost`
 * only the server instruction counts (bench/server-cost.ts), `X_LOCK_BENCH=single` only the rest.
 */
const only = process.env.X_LOCK_BENCH;
const part = (name: 'single' | 'contention' | 'server-cost') => only === undefined || only === '' || only === name;
const redis = await resolveRedis('standalone');
const node = createClient({ url: redis.url });
node.on('error', () => undefined);
await node.connect();
const adapter = createRedisAdapter(node);
const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";
const run = randomBytes(3).toString('hex');
const key = (what: string) => `bench:${run}:${what}`;

/**
 * Counts the commands clients send while `body` runs, with MONITOR: commands a Lua script
 * runs inside the server are listed as coming from "lua" and are not counted (INFO
 * commandstats would count them). The bench is the server's only client.
 */
async function countSent<T>(body: () => Promise<T>): Promise<{ result: T; sent: number }> {
  const monitor = node.duplicate();
  monitor.on('error', () => undefined);
  await monitor.connect();
  let sent = 0;
  await monitor.monitor((line: string) => {
    if (!/^\S+ \[\d+ lua\]/.test(line)) sent++;
  });
  // The MONITOR stream is asynchronous: a PING through it marks where our window starts and ends.
  const marker = async () => {
    const before = sent;
    await node.sendCommand(['PING']);
    while (sent === before) await new Promise((r) => setImmediate(r));
  };
  await marker();
  const start = sent;
  const result = await body();
  await marker();
  const count = sent - start - 1; // minus the closing PING
  await monitor.close().catch(() => monitor.destroy());
  return { result, sent: count };
}

// --- the four contenders, each as acquire() -> release() ------------------------------------
interface Contender {
  name: string;
  acquire(name: string): Promise<() => Promise<unknown>>;
}

const NAMES = {
  raw: 'raw node-redis SET NX PX + release script',
  xlock: '@x/lock',
  semaphore: 'redis-semaphore Mutex (ioredis)',
  redlock: '@sesamecare-oss/redlock (ioredis)',
};

/** The contenders on their own connections to `url` (direct, or through the delay proxy). */
async function contendersFor(url: string, closers: (() => Promise<unknown>)[]) {
  const nodeClient = createClient({ url });
  nodeClient.on('error', () => undefined);
  await nodeClient.connect();
  const nodeAdapter = createRedisAdapter(nodeClient);
  const ioClient = new Redis(url);
  ioClient.on('error', () => undefined);
  const redlockClient = new Redlock([ioClient], { retryCount: -1, retryDelay: 200, retryJitter: 200 });
  redlockClient.on('error', () => undefined);
  closers.push(
    () => nodeAdapter.close(),
    () => nodeClient.close(),
    async () => ioClient.disconnect(),
  );
  const sha = String(await nodeClient.sendCommand(['SCRIPT', 'LOAD', RELEASE]));
  const locks = new Map<string, ReturnType<typeof createLock>>();
  const raw: Contender = {
    name: NAMES.raw,
    async acquire(name) {
      const token = randomBytes(16).toString('hex');
      const k = key(name);
      const ok = await nodeClient.sendCommand(['SET', k, token, 'NX', 'PX', '30000']);
      if (String(ok) !== 'OK') throw new Error('raw baseline is uncontended only');
      return () => nodeClient.sendCommand(['EVALSHA', sha, '1', k, token]);
    },
  };
  const xlock: Contender = {
    name: NAMES.xlock,
    async acquire(name) {
      let lock = locks.get(name);
      if (!lock) locks.set(name, (lock = createLock(nodeAdapter, `bench:${run}:${name}`, { ttlMs: 30_000 })));
      const held = await lock.acquire();
      return () => held.release();
    },
  };
  const semaphore: Contender = {
    name: NAMES.semaphore,
    async acquire(name) {
      const mutex = new Mutex(ioClient, key(`sem:${name}`), { lockTimeout: 30_000, acquireTimeout: 120_000 });
      await mutex.acquire();
      return () => mutex.release();
    },
  };
  const redlock: Contender = {
    name: NAMES.redlock,
    async acquire(name) {
      const lock = await redlockClient.acquire([key(`rl:${name}`)], 30_000);
      return () => lock.release();
    },
  };
  return { raw, xlock, semaphore, redlock, ioClient, redlockClient };
}


const closers: (() => Promise<unknown>)[] = [];
const near = await contendersFor(redis.url, closers);
const DELAY_MS = 1;
const proxy = await startDelayProxy(Number(new URL(redis.url).port), DELAY_MS);
const far = await contendersFor(proxy.url, closers);
closers.push(proxy.stop);
const { raw, xlock, semaphore, redlock: redlockContender } = near;
const io = near.ioClient;
const redlock = near.redlockClient;

const contenders = [xlock, semaphore, redlockContender];

// --- hand-off: 10 waiters in one process, short hold, time from release() to the next acquire ---
// Each round: one holder, 10 waiters that each acquire once (so a releaser never competes
// again), every hand-off timed from the release() call to the next acquire resolving.
async function handOff(c: Contender, rounds: number): Promise<number[]> {
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const name = `handoff:${randomBytes(3).toString('hex')}`;
    const first = await c.acquire(name);
    let releasedAt = 0;
    const waiters = Array.from({ length: 10 }, async () => {
      const release = await c.acquire(name);
      samples.push(performance.now() - releasedAt);
      await yieldToLoop(); // a short hold
      releasedAt = performance.now();
      await release();
    });
    await new Promise((r) => setTimeout(r, 30)); // let all ten block
    releasedAt = performance.now();
    await first();
    await Promise.all(waiters);
  }
  return samples;
}

// --- commands per second sent by one blocked waiter ---------------------------------------------
async function blockedCommands(c: Contender, windowMs: number): Promise<number> {
  const name = `blocked:${randomBytes(3).toString('hex')}`;
  const release = await c.acquire(name);
  const waiting = c.acquire(name);
  await new Promise((r) => setTimeout(r, 200)); // let the waiter settle into its wait
  const { sent } = await countSent(() => new Promise((r) => setTimeout(r, windowMs)));
  await release();
  await (await waiting)();
  return sent / (windowMs / 1000);
}

// --- 1000 concurrent waiters on one key -----------------------------------------------------------
const crowdDetails: string[] = [];
async function crowd(c: Contender, waiters: number, budgetMs: number): Promise<{ value: number; unit: string; opsPerSec: number }> {
  const name = `crowd:${randomBytes(3).toString('hex')}`;
  const started = performance.now();
  let acquired = 0;
  let failed = 0;
  const deadline = started + budgetMs;
  const { sent: commands } = await countSent(() => Promise.all(
    Array.from({ length: waiters }, async () => {
      try {
        const release = await (c === redlockContender
          ? redlock
              .acquire([key(`rl:${name}`)], 30_000, { retryCount: Math.max(1, Math.floor((deadline - performance.now()) / 300)) })
              .then((l) => () => l.release())
          : c === semaphore
            ? (async () => {
                const m = new Mutex(io, key(`sem:${name}`), {
                  lockTimeout: 30_000,
                  acquireTimeout: Math.max(1, Math.floor(deadline - performance.now())),
                });
                await m.acquire();
                return () => m.release();
              })()
            : c.acquire(name));
        acquired++;
        await release();
      } catch {
        failed++;
      }
    }),
  ));
  const elapsed = performance.now() - started;
  crowdDetails.push(
    `${c.name}: ${acquired}/${waiters} acquired in ${(elapsed / 1000).toFixed(2)} s` +
      `${failed ? ` (${failed} gave up)` : ''}, ${commands} commands (${(commands / Math.max(1, acquired)).toFixed(1)} per acquisition)`,
  );
  return { value: acquired / (elapsed / 1000), unit: 'acq/s', opsPerSec: acquired / (elapsed / 1000) };
}

const handOffRounds = quick ? 3 : 30;
const redlockHandOffRounds = quick ? 1 : 3;
const blockedWindowMs = quick ? 500 : 2000;
const crowdSize = quick ? 100 : 1000;
const crowdBudgetMs = quick ? 3000 : 15_000;

const rttGroup = `uncontended acquire+release, ${2 * DELAY_MS} ms RTT (delay proxy)`;
const cases: BenchCase[] = [
  ...[raw, ...contenders].map(
    (c): BenchCase => ({
      group: 'uncontended acquire+release',
      name: c.name,
      baseline: c === raw,
      fn: async () => (await c.acquire('uncontended'))(),
    }),
  ),
  ...[far.raw, far.xlock, far.semaphore, far.redlock].map(
    (c): BenchCase => ({
      group: rttGroup,
      name: c.name,
      baseline: c === far.raw,
      fn: async () => (await c.acquire('uncontended-far'))(),
      durationMs: quick ? 150 : 1500,
    }),
  ),
  ...contenders.map(
    (c): BenchCase => ({
      group: 'hand-off latency (10 waiters, one process)',
      name: c.name,
      baseline: c === semaphore,
      measure: () => handOff(c, c === redlockContender ? redlockHandOffRounds : handOffRounds),
      metric: 'release -> next acquire',
      unit: 'ms',
    }),
  ),
  ...contenders.map(
    (c): BenchCase => ({
      group: 'one blocked waiter',
      name: c.name,
      measure: () => blockedCommands(c, blockedWindowMs),
      metric: 'commands sent while blocked',
      unit: 'cmd/s',
    }),
  ),
  ...contenders.map(
    (c): BenchCase => ({
      group: `${crowdSize} concurrent waiters on one key`,
      name: c.name,
      measure: () => crowd(c, crowdSize, crowdBudgetMs),
      metric: 'acquisitions/s',
      unit: 'acq/s',
    }),
  ),
];

const notes = [
  redis.summary,
  `hand-off: ${handOffRounds} rounds of 10 hand-offs (${redlockHandOffRounds} for redlock, with retryCount -1 so it does not give up), hold = one event-loop turn`,
  `blocked waiter: commands clients sent (MONITOR, script-internal calls excluded) over ${blockedWindowMs} ms while one holder (30 s lease) holds and one waiter waits`,
  `"${rttGroup}": the same, through a TCP proxy (child process) holding each chunk ${DELAY_MS} ms per direction`,
  `crowd: ${crowdSize} acquire() at once, each releases at once; budget ${crowdBudgetMs / 1000} s (peers get their timeout set to it)`,
];

// --- P processes contending for one lock ---------------------------------------------------------
const processCounts = (process.env.X_LOCK_BENCH_PROCESSES ?? (quick ? '2,8' : '2,4,8,16')).split(',').map(Number);
const contentionMs = quick ? 1000 : 3000;
const contentionRounds = quick ? 1 : 2;
/** Each contender's unmeasured warm-up on fresh workers (JIT), before the measured rounds. */
const contentionWarmupMs = quick ? 300 : 2000;
const CONTENTION_TTL_MS = 400;
/**
 * redlock is left out of the contention runs by default (`X_LOCK_BENCH_CONTENDERS=xlock,semaphore,redlock,raw,relay,scripted,joined,bare`
 * adds it): with its default 200 ms retry delay it starves workers (max/min counts in the hundreds), and in
 * one 4-process run a worker stayed in its retry loop for minutes, stalling the whole bench.
 */
/** The critical section: a timer of this many ms (`X_LOCK_BENCH_HOLD_MS`, default 1), or one event-loop turn for 0. */
const holdMs = Number(process.env.X_LOCK_BENCH_HOLD_MS ?? 1);
const contenderIds = (process.env.X_LOCK_BENCH_CONTENDERS ?? 'xlock,semaphore,raw,relay,scripted,joined,bare').split(',') as ContenderId[];

let report: Awaited<ReturnType<typeof runBench>> | undefined;
let contention: ContentionRun[] = [];
try {
  if (part('single')) {
    report = await runBench({ title: '@x/lock', cases, notes });
    await printAllocations(redis.url);
  }
  if (part('server-cost')) await printServerCost();
  if (part('contention')) {
    console.log(
      `\nContention: ${processCounts.join(', ')} processes, one lock (TTL ${CONTENTION_TTL_MS} ms), each looping acquire -> ` +
        `${holdMs > 0 ? `a ${holdMs} ms timer` : 'one event-loop turn'} -> release for ${contentionMs / 1000} s; ` +
        `each contender first warmed up for ${contentionWarmupMs / 1000} s on fresh workers, then ${contentionRounds} round(s), order alternating:`,
    );
    contention = await runContention(
      redis.url,
      { processCounts, durationMs: contentionMs, warmupMs: contentionWarmupMs, rounds: contentionRounds, ttlMs: CONTENTION_TTL_MS, holdMs, contenders: contenderIds },
      (line) => console.log(line),
    );
  }
} finally {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  await adapter.close();
  await node.close();
  await redis.stop();
}

if (contention.length > 0) printContention(contention);

/** Server instructions per hand-off, side by side (bench/server-cost.ts). */
async function printServerCost(): Promise<void> {
  const results = await measureServerCost();
  if (!results) {
    console.log('\nServer cost: skipped (valgrind is not installed: apt-get install -y valgrind)');
    return;
  }
  console.log('\nServer cost per hand-off (instructions Redis executes, counted by valgrind callgrind; repeatable on a busy machine):');
  for (const line of formatServerCost(results)) console.log(line);
}

/** Heap bytes and commands per acquire and per release (bench/allocations.ts, in its own process). */
async function printAllocations(url: string): Promise<void> {
  // `--import tsx` (not the tsx CLI, which starts another process without these flags).
  const file = fileURLToPath(new URL('./allocations.ts', import.meta.url));
  const flags = ['--expose-gc', '--max-semi-space-size=256', '--import', 'tsx'];
  const { stdout } = await promisify(execFile)(process.execPath, [...flags, file, url], { cwd: fileURLToPath(new URL('..', import.meta.url)) });
  const a = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, number>;
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KiB`;
  console.log(
    `\nAllocations, uncontended (heap growth per operation, median of ${a.windows} windows of ${a.n} without a GC inside):\n` +
      `  acquire: @x/lock ${kb(a.lockAcquire!)} and ${a.acquireCommands} command; raw SET NX PX ${kb(a.rawAcquire!)}\n` +
      `  release: @x/lock ${kb(a.lockRelease!)} and ${a.releaseCommands} command; raw EVALSHA ${kb(a.rawRelease!)}`,
  );
}

function printContention(runs: ContentionRun[]): void {
  const range = (xs: number[], digits: number) => {
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    return lo.toFixed(digits) === hi.toFixed(digits) ? lo.toFixed(digits) : `${lo.toFixed(digits)}-${hi.toFixed(digits)}`;
  };
  const rows: string[][] = [
    ['P', 'contender', 'acq/s', 'vs semaphore', 'acquire calls/acq', 'gap mean ms', 'gap p50 ms', 'half-time spread', 'max/min', 'CPU/acq client µs', 'server µs'],
  ];
  for (const p of processCounts) {
    const sem = runs.filter((r) => r.processes === p && r.contender === 'semaphore');
    for (const id of contenderIds) {
      const mine = runs.filter((r) => r.processes === p && r.contender === id);
      if (mine.length === 0) continue;
      // Ratios per round (side by side in the same round), then their range.
      const ratios = mine.map((r, i) => r.perSecond / (sem[i]?.perSecond ?? NaN));
      rows.push([
        String(p),
        CONTENDER_NAMES[id],
        range(mine.map((r) => r.perSecond), 0),
        id === 'semaphore' ? '1.00' : range(ratios, 2),
        range(mine.map((r) => r.acquireCalls), 2),
        range(mine.map((r) => r.gapMean), 2),
        range(mine.map((r) => r.gapP50), 2),
        `±${range(mine.map((r) => r.halfTimeSpread * 100), 0)}%`,
        range(mine.map((r) => r.maxOverMin), 2),
        range(mine.map((r) => r.clientCpuUs), 0),
        range(mine.map((r) => r.serverCpuUs), 0),
      ]);
    }
  }
  console.log('');
  printRows(rows);
  console.log('(ranges over the rounds; "vs semaphore": throughput ratio within the same round)');
  printHandOffPaths(runs, range);
}

/** The hand-off gap of @x/lock, of its scripts on a bare client and of the relay floors, split where each part runs. */
function printHandOffPaths(runs: ContentionRun[], range: (xs: number[], digits: number) => string): void {
  const rows: string[][] = [['P', 'contender', 'before send µs', 'transit µs', 'after arrival µs', 'hand-offs']];
  for (const p of processCounts) {
    for (const id of contenderIds) {
      const paths = runs.filter((r) => r.processes === p && r.contender === id).flatMap((r) => (r.handOffPath ? [r.handOffPath] : []));
      if (paths.length === 0) continue;
      rows.push([
        String(p),
        CONTENDER_NAMES[id],
        range(paths.map((h) => h.beforeSend), 0),
        range(paths.map((h) => h.transit), 0),
        range(paths.map((h) => h.afterArrival), 0),
        range(paths.map((h) => h.count), 0),
      ]);
    }
  }
  if (rows.length === 1) return;
  console.log('\nThe hand-off gap split (p50 over the hand-offs of a round; ranges over the rounds): before send = the releaser, from its');
  console.log('release() call to the script handed to the client; transit = on to the announcement at the next holder\'s listener');
  console.log('(Redis runs the script, the message crosses, that process wakes); after arrival = the next holder, to acquire() resolved.');
  printRows(rows);
}

/** Prints a table: the first two columns left-aligned, the figures right-aligned. */
function printRows(rows: string[][]): void {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const row of rows) console.log(row.map((cell, c) => (c >= 2 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  '));
}

if (!report) process.exit(process.exitCode ?? 0);

const find = (group: string, name: string): CaseResult | undefined =>
  report.results.find((r) => r.group === group && r.name === name) ??
  report.results.find((r) => r.group.startsWith(group) && r.name === name);
const p50 = (r: CaseResult | undefined) => r?.metric?.summary?.p50 ?? r?.latencyMs?.p50;
const ratio = (a?: number, b?: number) => (a !== undefined && b ? `${(a / b).toFixed(2)}x` : 'n/a');

const lines = [
  '',
  'Against the targets:',
  `  uncontended p50, @x/lock vs raw SET NX PX + script: ${ratio(p50(find('uncontended acquire+release', xlock.name)), p50(find('uncontended acquire+release', raw.name)))} on loopback, ` +
    `${ratio(p50(find(rttGroup, xlock.name)), p50(find(rttGroup, raw.name)))} at ${2 * DELAY_MS} ms RTT (target <= 1.2x)`,
  `  hand-off p50: @x/lock ${p50(find('hand-off', xlock.name))?.toFixed(3)} ms (target < 1 ms); ` +
    `redis-semaphore is ${ratio(p50(find('hand-off', semaphore.name)), p50(find('hand-off', xlock.name)))} slower, ` +
    `redlock ${ratio(p50(find('hand-off', redlockContender.name)), p50(find('hand-off', xlock.name)))} slower`,
  `  commands/s while blocked: ${contenders.map((c) => `${c.name} ${find('one blocked', c.name)?.metric?.value?.toFixed(1)}`).join(', ')} (target 0 for @x/lock)`,
  '',
  'Crowd details:',
  ...crowdDetails.map((d) => `  ${d}`),
];
for (const line of lines) console.log(line);
