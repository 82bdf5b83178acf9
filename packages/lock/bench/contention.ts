// The multi-process contention part of `pnpm --filter @x/lock bench`: P worker processes
// (bench/contention-worker.ts) loop acquire -> one event-loop turn -> release on one lock,
// every contender in turn on the same workers, rounds alternating the order.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { percentile } from '@x/tooling/bench';

export type ContenderId = 'xlock' | 'semaphore' | 'redlock' | 'raw' | 'relay' | 'scripted' | 'joined' | 'bare';

export const CONTENDER_NAMES: Record<ContenderId, string> = {
  xlock: '@x/lock',
  semaphore: 'redis-semaphore Mutex',
  redlock: 'redlock',
  raw: 'raw SET NX PX (10 ms retry)',
  relay: 'fair floor: PUBLISH relay',
  scripted: 'fair floor: scripted hand-off',
  joined: 'fair floor: hand-off + join',
  bare: "@x/lock's scripts, bare client",
};

interface WorkerReport {
  acquiredAt: number[];
  releasedAt: number[];
  attempts?: number;
  commands?: number;
  queueRefreshes?: number;
  cpuUs: number;
  /** xlock, bare, the relay floors: per acquisition, when its hand-off announcement (the baton) arrived (0: it did not wait for one), epoch ms. */
  handedAt?: number[];
  /** The same: per acquisition, when its release script (the baton) was handed to the client, epoch ms. */
  sentAt?: number[];
}

/** The hand-off gap split in three (p50 over consecutive hand-offs, µs), for contenders that report it. */
export interface HandOffPath {
  /** The releaser: its release() call -> the release script handed to the client. */
  beforeSend: number;
  /** The release script sent -> the announcement at the next holder's listener (Redis, the wire, waking that process). */
  transit: number;
  /** The announcement at the listener -> the next holder's acquire() resolved. */
  afterArrival: number;
  /** Hand-offs measured. */
  count: number;
}

/** One run of one contender at one process count. */
export interface ContentionRun {
  contender: ContenderId;
  processes: number;
  acquisitions: number;
  perSecond: number;
  /** Acquire calls per acquisition (xlock: its attempts; raw: SET NX tries; bare: acquire script calls; peers: script calls minus one release each). */
  acquireCalls: number;
  /** Every command the server ran for clients (INFO commandstats, scripts counted once), per acquisition. */
  commandsPerAcquisition: number;
  /** Release call -> next holder's acquire resolved, over consecutive holders, ms. */
  gapMean: number;
  gapP50: number;
  /** Per worker acquisitions at half-time, as the largest deviation from their mean (fraction). */
  halfTimeSpread: number;
  /** Largest / smallest per-worker count over the whole run. */
  maxOverMin: number;
  /** CPU time per acquisition, µs: the workers' own (user + system), and the Redis server's (INFO cpu). */
  clientCpuUs: number;
  serverCpuUs: number;
  handOffPath?: HandOffPath;
}

const workerFile = fileURLToPath(new URL('./contention-worker.ts', import.meta.url));

class Worker {
  readonly child: ChildProcess;
  readonly #lines: string[] = [];
  #waiting: { resolve: (line: string) => void; reject: (error: Error) => void } | undefined;
  stderr = '';

  constructor(url: string) {
    // `--import tsx` runs the worker in this node process (the tsx CLI would start a second one);
    // X_LOCK_BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each worker there.
    const profile = process.env.X_LOCK_BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.X_LOCK_BENCH_CPU_PROF] : [];
    this.child = spawn(process.execPath, [...profile, '--import', 'tsx', workerFile, url], {
      stdio: ['pipe', 'pipe', 'pipe'],
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    });
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      if (waiting) waiting.resolve(line);
      else this.#lines.push(line);
    });
    // One listener for the worker's life (one per next() call passed Node's limit of ten).
    this.child.once('exit', () => {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      waiting?.reject(this.#exited());
    });
  }

  #exited(): Error {
    return new Error(`contention worker exited (${this.child.exitCode ?? this.child.signalCode}): ${this.stderr}`);
  }

  next(): Promise<string> {
    const line = this.#lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.reject(this.#exited());
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
    });
  }

  send(value: unknown): void {
    this.child.stdin!.write(`${typeof value === 'string' ? value : JSON.stringify(value)}\n`);
  }
}

/** The server's CPU time so far (user + system), µs. */
async function serverCpuUs(admin: { sendCommand(args: string[]): Promise<unknown> }): Promise<number> {
  const text = String(await admin.sendCommand(['INFO', 'cpu']));
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(text)?.[1] ?? NaN);
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1e6;
}

async function scriptAndCommandCalls(info: () => Promise<string>): Promise<{ scripts: number; set: number }> {
  const text = await info();
  let scripts = 0;
  let set = 0;
  for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    const calls = Number(m[2]);
    if (m[1] === 'evalsha' || m[1] === 'eval') scripts += calls;
    if (m[1] === 'set') set += calls;
  }
  return { scripts, set };
}

/**
 * Runs every contender at each process count. Commands inside scripts are counted by
 * INFO commandstats too; `all` therefore counts a script and its inner calls: the
 * command counts here use client-side counts for @x/lock and script calls for peers.
 */
export async function runContention(
  url: string,
  options: {
    processCounts: number[];
    durationMs: number;
    /** How long each contender runs unmeasured on fresh workers before the measured rounds. */
    warmupMs: number;
    rounds: number;
    ttlMs: number;
    holdMs: number;
    contenders: ContenderId[];
  },
  log: (line: string) => void,
): Promise<ContentionRun[]> {
  const admin = createClient({ url });
  admin.on('error', () => undefined);
  await admin.connect();
  const info = async () => String(await admin.sendCommand(['INFO', 'commandstats']));
  const runs: ContentionRun[] = [];
  try {
    for (const processes of options.processCounts) {
      const workers = Array.from({ length: processes }, () => new Worker(url));
      try {
        for (const w of workers) await w.next(); // { ready }
        /** One run of `contender` on every worker: the workers' reports, Redis' command counts and CPU. */
        const runOnce = async (contender: ContenderId, durationMs: number) => {
          const name = `bench:contend:${randomBytes(4).toString('hex')}`;
          const startAt = performance.timeOrigin + performance.now() + 300;
          await admin.sendCommand(['CONFIG', 'RESETSTAT']);
          const serverCpuBefore = await serverCpuUs(admin);
          workers.forEach((w, index) =>
            w.send({ contender, name, startAt, durationMs, ttlMs: options.ttlMs, holdMs: options.holdMs, index, processes }),
          );
          const reports = (await Promise.all(workers.map((w) => w.next()))).map((l) => JSON.parse(l) as WorkerReport);
          const calls = await scriptAndCommandCalls(info);
          const serverCpu = (await serverCpuUs(admin)) - serverCpuBefore;
          return { startAt, reports, calls, serverCpu };
        };
        // Unmeasured warm-up of every contender on these fresh workers: without it the first
        // contender of the first round ran with its code (and the client's) still cold, in one
        // 4-process run 30% more CPU per acquisition on the main thread than the same code warm.
        for (const contender of options.contenders) await runOnce(contender, options.warmupMs);
        for (let round = 0; round < options.rounds; round++) {
          const order = round % 2 === 0 ? options.contenders : [...options.contenders].reverse();
          for (const contender of order) {
            const { startAt, reports, calls, serverCpu } = await runOnce(contender, options.durationMs);
            if (process.env.X_LOCK_BENCH_DEBUG) for (const r of reports) log(JSON.stringify((r as { stats?: unknown }).stats));
            const run = summarise(contender, processes, reports, startAt, options.durationMs, calls, serverCpu);
            runs.push(run);
            log(
              `  P=${processes} ${CONTENDER_NAMES[contender].padEnd(28)} ${run.perSecond.toFixed(0).padStart(5)} acq/s, ` +
                `acquire calls/acq ${run.acquireCalls.toFixed(2)}, gap mean ${run.gapMean.toFixed(2)} ms p50 ${run.gapP50.toFixed(2)} ms, ` +
                `half-time spread ±${(run.halfTimeSpread * 100).toFixed(0)}%, max/min ${run.maxOverMin.toFixed(2)}, ` +
                `CPU/acq client ${run.clientCpuUs.toFixed(0)} µs server ${run.serverCpuUs.toFixed(0)} µs` +
                (run.handOffPath
                  ? `, hand-off p50 µs: before send ${run.handOffPath.beforeSend.toFixed(0)}, transit ${run.handOffPath.transit.toFixed(0)}, ` +
                    `after arrival ${run.handOffPath.afterArrival.toFixed(0)}`
                  : ''),
            );
          }
        }
      } finally {
        for (const w of workers) w.send('exit');
        await Promise.all(
          workers.map(
            (w) =>
              new Promise((r) => {
                if (w.child.exitCode !== null) return r(undefined);
                const kill = setTimeout(() => w.child.kill('SIGKILL'), 5000);
                w.child.once('exit', () => (clearTimeout(kill), r(undefined)));
              }),
          ),
        );
      }
    }
  } finally {
    await admin.close();
  }
  return runs;
}

function summarise(
  contender: ContenderId,
  processes: number,
  reports: WorkerReport[],
  startAt: number,
  durationMs: number,
  calls: { scripts: number; set: number },
  serverCpu: number,
): ContentionRun {
  const endAt = startAt + durationMs;
  // [acquiredAt, releasedAt, handedAt, sentAt]
  const holds: [number, number, number, number][] = [];
  for (const r of reports) {
    for (let i = 0; i < r.acquiredAt.length; i++) holds.push([r.acquiredAt[i]!, r.releasedAt[i]!, r.handedAt?.[i] ?? 0, r.sentAt?.[i] ?? 0]);
  }
  holds.sort((x, y) => x[0] - y[0]);
  const inWindow = holds.filter(([a]) => a >= startAt && a <= endAt);
  const gaps: number[] = [];
  const path = { beforeSend: [] as number[], transit: [] as number[], afterArrival: [] as number[] };
  for (let i = 1; i < inWindow.length; i++) {
    const [acquiredAt, , handedAt] = inWindow[i]!;
    const [, releasedAt, , sentAt] = inWindow[i - 1]!;
    gaps.push(acquiredAt - releasedAt);
    // A hand-off whose announcement arrived after the release was sent (the next holder waited for this one).
    if (handedAt > 0 && sentAt > 0 && handedAt >= sentAt) {
      path.beforeSend.push((sentAt - releasedAt) * 1000);
      path.transit.push((handedAt - sentAt) * 1000);
      path.afterArrival.push((acquiredAt - handedAt) * 1000);
    }
  }
  gaps.sort((x, y) => x - y);
  const p50Of = (xs: number[]) => percentile([...xs].sort((x, y) => x - y), 0.5);
  const handOffPath: HandOffPath | undefined =
    path.transit.length > 0
      ? { beforeSend: p50Of(path.beforeSend), transit: p50Of(path.transit), afterArrival: p50Of(path.afterArrival), count: path.transit.length }
      : undefined;
  const half = startAt + durationMs / 2;
  const atHalf = reports.map((r) => r.acquiredAt.filter((a) => a >= startAt && a <= half).length);
  const mean = atHalf.reduce((n, x) => n + x, 0) / atHalf.length;
  const spread = mean > 0 ? Math.max(...atHalf.map((x) => Math.abs(x - mean) / mean)) : NaN;
  const totals = reports.map((r) => r.acquiredAt.length);
  const acquisitions = totals.reduce((n, x) => n + x, 0);
  let acquireCalls: number;
  let commands: number;
  if (contender === 'xlock') {
    acquireCalls = reports.reduce((n, r) => n + (r.attempts ?? 0), 0) / acquisitions;
    commands = reports.reduce((n, r) => n + (r.commands ?? 0), 0) / acquisitions;
  } else if (contender === 'relay' || contender === 'scripted' || contender === 'joined') {
    // No acquire call: the baton arrives by PUBLISH; the only command is the PUBLISH (or the
    // hand-off script) that passes it on, and for `joined` the join call after it.
    acquireCalls = contender === 'joined' ? 1 : 0;
    commands = contender === 'joined' ? 2 : 1;
  } else if (contender === 'raw' || contender === 'bare') {
    acquireCalls = reports.reduce((n, r) => n + (r.attempts ?? 0), 0) / acquisitions;
    commands = acquireCalls + 1;
  } else if (contender === 'semaphore') {
    // redis-semaphore's Mutex: SET NX PX per try, a script to release (no SET inside).
    acquireCalls = calls.set / acquisitions;
    commands = (calls.set + calls.scripts) / acquisitions;
  } else {
    // redlock: one script call per try (its SET runs inside), one to release.
    acquireCalls = (calls.scripts - acquisitions) / acquisitions;
    commands = calls.scripts / acquisitions;
  }
  return {
    contender,
    processes,
    acquisitions: inWindow.length,
    perSecond: inWindow.length / (durationMs / 1000),
    acquireCalls,
    commandsPerAcquisition: commands,
    gapMean: gaps.length ? gaps.reduce((n, x) => n + x, 0) / gaps.length : NaN,
    gapP50: gaps.length ? percentile(gaps, 0.5) : NaN,
    halfTimeSpread: spread,
    maxOverMin: Math.max(...totals) / Math.max(1, Math.min(...totals)),
    clientCpuUs: reports.reduce((n, r) => n + r.cpuUs, 0) / Math.max(1, acquisitions),
    serverCpuUs: serverCpu / Math.max(1, acquisitions),
    handOffPath,
  };
}
