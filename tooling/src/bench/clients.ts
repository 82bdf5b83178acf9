/**
 * A package's main operations over node-redis and over ioredis, side by side
 * in one run, each next to the raw client of its own library sending exactly
 * the commands the package sent (recorded off the wire, same batches), at 64
 * concurrent callers. What to compare is the package's share of its raw
 * client's throughput (and p50) on one library against the other.
 */
import type { Redis } from 'ioredis';
import { createClient } from 'redis';
import { resolveRedis, type RedisClient } from '../redis/index.js';
import { connectIoClient } from '../redis/io-clients.js';
import { isQuick, runBench } from './runner.js';
import { quartiles } from './stats.js';
import type { BenchCase, BenchReport } from './types.js';
import { instructionSettings, parseRow, printInstructionCounts, ROW_ENV, runCounted } from './instructions.js';
import { replayIoredis, replayNodeRedis, WireRecorder, type WireTrace } from './wire-recorder.js';

export type BenchClientKind = 'node-redis' | 'ioredis';

/** One operation of a package, built on a client of either library. */
export interface ClientOp {
  /** Row label, e.g. `acquire + release`. */
  name: string;
  /**
   * Builds the operation on `client` (a connected node-redis client or ioredis
   * `Redis`, to hand to the package as its connection); returns the call to
   * time. Anything to close goes into `closers` (closed before the clients).
   */
  make(client: object, kind: BenchClientKind, closers: (() => Promise<unknown>)[]): Promise<() => Promise<unknown>>;
}

export interface ClientsBenchOptions {
  title: string;
  ops: ClientOp[];
  notes?: string[];
  /** Concurrent callers (default 64). */
  concurrency?: number;
}

/** Recorded calls per operation the raw rows cycle through (distinct keys and ids, as the package made them). */
const POOL = 256;

/**
 * node-redis without its per-command timeout (node-redis 6 arms a 5 000 ms
 * timer per command by default; ioredis has none): with it, the raw rows pay a
 * timer per command that the adapter replaces with shared deadlines, and the
 * node-redis ratio would measure that instead of our overhead.
 */
async function connectNodeRedis(url: string): Promise<RedisClient> {
  const client = createClient({ url, commandOptions: { timeout: 0 } } as Parameters<typeof createClient>[0]) as unknown as RedisClient;
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

const LIBRARIES: { kind: BenchClientKind; connect(url: string): Promise<RedisClient | Redis> }[] = [
  { kind: 'node-redis', connect: connectNodeRedis },
  { kind: 'ioredis', connect: connectIoClient },
];

/**
 * Runs the bench and prints the per-library overhead comparison. With
 * `X_BENCH_INSTRUCTIONS=1` it counts instructions per operation under valgrind
 * instead (see instructions.ts) and returns no report.
 */
export async function runClientsBench(options: ClientsBenchOptions): Promise<BenchReport | undefined> {
  const row = parseRow(process.env[ROW_ENV]);
  if (row) return void (await countOneRow(options, row));
  const concurrency = options.concurrency ?? 64;
  const redis = await resolveRedis('standalone');
  if (process.env.X_BENCH_INSTRUCTIONS) {
    try {
      await printInstructionCounts(options.ops, redis.url, instructionSettings());
    } finally {
      await redis.stop();
    }
    return undefined;
  }
  const closers: (() => Promise<unknown>)[] = [];
  const clients: (RedisClient | Redis)[] = [];
  try {
    const cases: BenchCase[] = [];
    for (const op of options.ops) {
      // One group per operation, both libraries in it: the four rows alternate in the same rounds, so a
      // change of the machine's speed during the run lands on both libraries' pairs alike.
      const group = `${op.name} x${concurrency}`;
      for (const { kind, connect } of LIBRARIES) {
        // Ours on one connection; the recording on a second one, so the timed run goes through no recorder.
        const [ours, recorded, raw] = [await connect(redis.url), await connect(redis.url), await connect(redis.url)];
        clients.push(ours, recorded, raw);
        const fn = await op.make(ours, kind, closers);
        const replay = await rawReplay(op, kind, recorded, raw, closers, isQuick() ? 16 : POOL);
        cases.push(
          { group, name: rawName(kind), baseline: true, concurrency, fn: replay },
          { group, name: oursName(kind), baselineName: rawName(kind), concurrency, fn },
        );
      }
    }
    const report = await runBench({
      title: options.title,
      notes: [
        redis.summary,
        `${concurrency} concurrent callers; one connection per row; ioredis 5 with default options, node-redis 6 with ` +
          'commandOptions.timeout 0 (no timer per command, like ioredis; see the redis-adapter bench for the default)',
        `raw rows: the raw client of the same library sends exactly the commands the package sent for that operation ` +
          `(recorded off the wire, ${POOL} calls cycled, same batches: one tick of commands on each library; ` +
          `the raw ioredis socket corked for the tick as the adapter corks its own, so both sides make the same writes)`,
        ...(options.notes ?? []),
      ],
      cases,
    });
    printClientOverhead(report, options.ops.map((o) => o.name), concurrency);
    return report;
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    for (const c of clients) await closeClient(c);
    await redis.stop();
  }
}

/** The child process of the instruction count: one row of one operation (see instructions.ts). */
async function countOneRow(options: ClientsBenchOptions, row: NonNullable<ReturnType<typeof parseRow>>): Promise<void> {
  const url = process.env.REDIS_URL!;
  const connect = LIBRARIES.find((l) => l.kind === row.kind)!.connect;
  const clients = { ours: await connect(url), recorded: await connect(url), raw: await connect(url) };
  const closers: (() => Promise<unknown>)[] = [];
  try {
    const op = options.ops[row.op]!;
    const call = row.mode === 'ours' ? await op.make(clients.ours, row.kind, closers) : await rawReplay(op, row.kind, clients.recorded, clients.raw, closers, 64);
    await runCounted(call, row.count, instructionSettings().warmup);
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    for (const c of Object.values(clients)) await closeClient(c);
  }
}

const rawName = (kind: BenchClientKind) => `raw ${kind}, same commands`;
const oursName = (kind: BenchClientKind) => `ours on ${kind}`;

/**
 * The raw row of `op` on one library: `size` calls of the package recorded on `recorded` (after three
 * unrecorded ones: scripts loaded, first-use checks done, so the recording is the steady state), replayed
 * in turn on `raw`.
 */
async function rawReplay(
  op: ClientOp,
  kind: BenchClientKind,
  recorded: RedisClient | Redis,
  raw: RedisClient | Redis,
  closers: (() => Promise<unknown>)[],
  size: number,
): Promise<() => Promise<unknown>> {
  const call = await op.make(recorded, kind, closers);
  const recorder = new WireRecorder(recorded, kind);
  for (let i = 0; i < 3; i++) await call();
  const traces: WireTrace[] = [];
  for (let i = 0; i < size; i++) traces.push(await recorder.record(call));
  let next = 0;
  return kind === 'node-redis'
    ? () => replayNodeRedis(raw as RedisClient, traces[next++ % traces.length]!)
    : () => replayIoredis(raw as Redis, traces[next++ % traces.length]!);
}

async function closeClient(c: RedisClient | Redis): Promise<void> {
  if ('quit' in c && typeof (c as Redis).duplicate === 'function' && 'status' in c) {
    await (c as Redis).quit().catch(() => (c as Redis).disconnect());
  } else {
    await (c as RedisClient).close().catch(() => undefined);
  }
}

/**
 * Per operation: ours as a share of the raw client's ops/s and p50, on each
 * library, and ioredis' share over node-redis' share (1.00 = the same overhead).
 */
export function printClientOverhead(report: BenchReport, ops: string[], concurrency: number): void {
  const row = (op: string, kind: BenchClientKind) => {
    const rows = report.results.filter((r) => r.group === `${op} x${concurrency}`);
    const base = rows.find((r) => r.name === rawName(kind));
    const ours = rows.find((r) => r.name === oursName(kind));
    if (!base?.opsPerSec || !ours?.opsPerSec || !base.latencyMs || !ours.latencyMs) return undefined;
    // The median of the per-round ratios (both rows measured in the same short slices, alternating):
    // a slow spell of the machine lands on both sides of a round's ratio; the ratio of totals is the fallback.
    const opsRounds = ours.vsBaseline?.opsPerSecRounds;
    // CPU this process spent per operation beyond the raw client's: the median over the rounds of the
    // difference within one round (a collection of one row's garbage in the other's slice moves single rounds).
    const cpuRounds = ours.vsBaseline?.addedCpuUsRounds;
    const share = quartiles(opsRounds);
    const added = quartiles(cpuRounds);
    const iqr = (q: { q1: number; q3: number } | undefined, digits: number, n = 0) =>
      q && n >= 4 ? `${q.q1.toFixed(digits)}-${q.q3.toFixed(digits)}` : '';
    return {
      ops: share?.median ?? ours.opsPerSec / base.opsPerSec,
      spread: iqr(share, 2, opsRounds?.length),
      p50: ours.latencyMs.p50 / base.latencyMs.p50,
      p99: ours.latencyMs.p99 / base.latencyMs.p99,
      // What the package adds per operation, in µs of the run's time (64 callers share it).
      addedUs: 1e6 / ours.opsPerSec - 1e6 / base.opsPerSec,
      addedCpuUs: added?.median ?? (ours.cpuUsPerOp !== undefined && base.cpuUsPerOp !== undefined ? ours.cpuUsPerOp - base.cpuUsPerOp : undefined),
      cpuSpread: iqr(added, 1, cpuRounds?.length),
      rawCpuUs: base.cpuUsPerOp,
      opsRounds,
      cpuRounds,
    };
  };
  // ioredis over node-redis, round by round (all four rows of an operation alternate in the same rounds),
  // the median over the rounds; the ratio of the two medians when the rounds are not there.
  const paired = (io: number[] | undefined, node: number[] | undefined, fallback: number | undefined) =>
    (io && node && io.length === node.length ? quartiles(io.map((x, r) => x / node[r]!))?.median : undefined) ?? fallback;
  const fmt = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(2));
  const us = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(1));
  const lines = [
    ['operation', 'node-redis ops/s', 'ioredis ops/s', 'node IQR', 'io IQR', 'io / node', 'node-redis p50', 'ioredis p50', 'io / node', 'node-redis p99', 'ioredis p99', 'added µs/op node', 'added µs/op io', 'io / node', 'raw CPU µs/op node', 'raw CPU µs/op io', 'added CPU µs/op node', 'added CPU µs/op io', 'node IQR', 'io IQR', 'io / node'],
  ];
  for (const op of ops) {
    const n = row(op, 'node-redis');
    const i = row(op, 'ioredis');
    lines.push([
      op,
      fmt(n?.ops),
      fmt(i?.ops),
      n?.spread || 'n/a',
      i?.spread || 'n/a',
      fmt(i && n ? paired(i.opsRounds, n.opsRounds, i.ops / n.ops) : undefined),
      fmt(n?.p50),
      fmt(i?.p50),
      fmt(i && n ? i.p50 / n.p50 : undefined),
      fmt(n?.p99),
      fmt(i?.p99),
      us(n?.addedUs),
      us(i?.addedUs),
      fmt(i && n ? i.addedUs / n.addedUs : undefined),
      us(n?.rawCpuUs),
      us(i?.rawCpuUs),
      us(n?.addedCpuUs),
      us(i?.addedCpuUs),
      n?.cpuSpread || 'n/a',
      i?.cpuSpread || 'n/a',
      fmt(i?.addedCpuUs !== undefined && n?.addedCpuUs !== undefined ? paired(i.cpuRounds, n.cpuRounds, i.addedCpuUs / n.addedCpuUs) : undefined),
    ]);
  }
  const widths = lines[0]!.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  console.log('\nours as a share of the raw client of the same library (same run; ops/s: higher is better, latency: lower is better):');
  for (const l of lines) console.log('  ' + l.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
  console.log(
    '  "io / node" = 1.00 means the same overhead on both libraries (target: within 0.90-1.10); for ops/s and added CPU it is\n' +
      '  the median over the rounds of ioredis\' figure over node-redis\' in the same round (the four rows of an operation alternate)',
  );
  console.log(
    '  ops/s shares: the median over the rounds of ours / raw within one round (the two rows alternate in short slices);\n' +
      '  "IQR": the middle half of those per-round shares (how much the machine moved them); X_BENCH_ROUNDS sets the rounds',
  );
  console.log(
    '  "CPU µs/op": this process\'s CPU time (user + system, process.cpuUsage) per operation in the measured slices: the raw\n' +
      '  client\'s, and what ours adds to it on the same library (the median over the rounds of ours - raw within one round,\n' +
      '  with its IQR). Unlike throughput it does not depend on whether Redis or the\n' +
      '  client is the bottleneck at the moment, so it measures the package\'s own work more directly',
  );
  console.log(
    '  "added µs/op": 1e6 / ours ops/s - 1e6 / raw ops/s, the time the package adds per operation on each library; where the\n' +
      '  package\'s own CPU work dominates, the share of raw throughput depends on how fast the raw client is, the added time does not',
  );
}
