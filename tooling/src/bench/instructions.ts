/**
 * Instructions per operation, counted by valgrind's callgrind: the deterministic
 * companion of the clients bench (`X_BENCH_INSTRUCTIONS=1`).
 *
 * The clients bench's CPU time per operation moves 10-40 % run to run on a shared
 * machine, which hides differences of a microsecond. Here each row (the package or
 * its raw client's replay, on node-redis or ioredis) runs in its own Node process
 * under callgrind, one caller at a time, with V8's `--predictable` (no background
 * compiler or GC threads) and JIT on: warmed up, then N operations with counting
 * switched on (`callgrind_control -i on/off` around the loop). The count of N1 and
 * of N2 operations are taken in two processes and their difference divided by
 * N2 - N1, so start-up, warm-up and the counting switch itself drop out. Counts of
 * the same process repeat within about 1 %; where garbage collections fall in the
 * window moves a row by a few per cent, which the small young generation (many
 * scavenges per window) and the wide window (4 000 operations by default) keep
 * down. What a package adds is the difference of two rows, so for a small operation
 * the ratio of the two libraries' additions is good to about ±0.05 between runs.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchClientKind, ClientOp } from './clients.js';

/** Environment variable of the child process: `<op index>|<library>|<raw|ours>|<operations>`. */
export const ROW_ENV = 'X_BENCH_INSTRUCTIONS_ROW';

export interface InstructionSettings {
  /** Operations before counting starts (JIT warm-up). */
  warmup: number;
  /** The two window sizes whose counts are subtracted. */
  windows: readonly [number, number];
}

/** `X_BENCH_INSTRUCTIONS_OPS=1000,5000` and `X_BENCH_INSTRUCTIONS_WARMUP=4000` (the defaults). */
export function instructionSettings(env = process.env): InstructionSettings {
  const [a, b] = (env.X_BENCH_INSTRUCTIONS_OPS ?? '1000,5000').split(',').map(Number);
  const warmup = Number(env.X_BENCH_INSTRUCTIONS_WARMUP ?? 4000);
  if (!(Number.isInteger(a) && Number.isInteger(b) && a! >= 0 && b! > a! && Number.isInteger(warmup) && warmup >= 0)) {
    throw new Error('X_BENCH_INSTRUCTIONS_OPS takes two increasing counts (say 1000,5000), X_BENCH_INSTRUCTIONS_WARMUP a count');
  }
  return { warmup, windows: [a!, b!] };
}

/** Parses what a child asked for, or undefined when this process is not a counting child. */
export function parseRow(value: string | undefined): { op: number; kind: BenchClientKind; mode: 'raw' | 'ours'; count: number } | undefined {
  if (value === undefined) return undefined;
  const [op, kind, mode, count] = value.split('|');
  if ((kind !== 'node-redis' && kind !== 'ioredis') || (mode !== 'raw' && mode !== 'ours')) throw new Error(`bad ${ROW_ENV}: ${value}`);
  return { op: Number(op), kind, mode, count: Number(count) };
}

/**
 * The child: `warmup` calls, then `count` calls one after another with callgrind counting
 * (switched on and off around them).
 */
export async function runCounted(call: () => Promise<unknown>, count: number, warmup: number): Promise<void> {
  for (let i = 0; i < warmup; i++) await call();
  const toggle = (on: boolean) => execFileSync('callgrind_control', ['-i', on ? 'on' : 'off', String(process.pid)], { stdio: 'ignore' });
  toggle(true);
  for (let i = 0; i < count; i++) await call();
  toggle(false);
}

/** Runs `jobs`, at most `width` at a time. */
async function inParallel(jobs: (() => Promise<void>)[], width: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < jobs.length) await jobs[next++]!();
  };
  await Promise.all(Array.from({ length: width }, lane));
}

/** True when valgrind (with callgrind_control) is installed. */
function hasValgrind(): boolean {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Young-generation semi-space of the counted processes, MB. */
const SEMI_SPACE_MB = 1;

/** Runs the current bench script once under callgrind as the child for `row`; resolves the instructions counted. */
function countRow(row: string, redisUrl: string, dir: string): Promise<number> {
  const args = [
    '--tool=callgrind',
    '--smc-check=all-non-file',
    '--instr-atstart=no',
    `--callgrind-out-file=${join(dir, 'callgrind.out.%p')}`,
    process.execPath,
    '--predictable',
    // A small young generation: many scavenges per window instead of a few, so where they
    // fall moves the count per operation by little (with the default, up to 10-20 %).
    `--min-semi-space-size=${SEMI_SPACE_MB}`,
    `--max-semi-space-size=${SEMI_SPACE_MB}`,
    ...process.execArgv,
    process.argv[1]!,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('valgrind', args, { env: { ...process.env, [ROW_ENV]: row, REDIS_URL: redisUrl }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const counted = /Collected : (\d+)/.exec(stderr);
      if (code === 0 && counted) resolve(Number(counted[1]));
      else reject(new Error(`counting ${row} failed (exit ${code}): ${stderr.slice(-2000)}`));
    });
  });
}

/**
 * The parent: every operation's four rows, each counted at both window sizes,
 * printed as instructions per operation and what the package adds on each library.
 */
export async function printInstructionCounts(ops: readonly ClientOp[], redisUrl: string, settings: InstructionSettings): Promise<void> {
  if (!hasValgrind()) {
    console.log('\nInstructions per operation: skipped (valgrind is not installed: apt-get install -y valgrind)');
    return;
  }
  const [n1, n2] = settings.windows;
  console.log(
    `\nInstructions per operation (callgrind, one caller, JIT on, --predictable; (count of ${n2} - count of ${n1}) / ${n2 - n1} ` +
      `after ${settings.warmup} unmeasured; each row in its own process):`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'x-bench-instr-'));
  const header = ['operation', 'raw node-redis', 'ours', 'added', 'raw ioredis', 'ours', 'added', 'added io / node'];
  const rows: string[][] = [header];
  try {
    for (let i = 0; i < ops.length; i++) {
      const per: Record<string, number> = {};
      // The eight processes of an operation, as many at a time as there are cores (a count does not depend on timing).
      const jobs = (['node-redis', 'ioredis'] as const).flatMap((kind) =>
        (['raw', 'ours'] as const).map((mode) => async () => {
          const [c1, c2] = [await countRow(`${i}|${kind}|${mode}|${n1}`, redisUrl, dir), await countRow(`${i}|${kind}|${mode}|${n2}`, redisUrl, dir)];
          per[`${kind} ${mode}`] = (c2 - c1) / (n2 - n1);
        }),
      );
      await inParallel(jobs, Math.max(1, Math.min(jobs.length, availableParallelism())));
      const addedNode = per['node-redis ours']! - per['node-redis raw']!;
      const addedIo = per['ioredis ours']! - per['ioredis raw']!;
      const k = (x: number) => `${(x / 1000).toFixed(1)}k`;
      rows.push([
        ops[i]!.name,
        k(per['node-redis raw']!),
        k(per['node-redis ours']!),
        k(addedNode),
        k(per['ioredis raw']!),
        k(per['ioredis ours']!),
        k(addedIo),
        (addedIo / addedNode).toFixed(2),
      ]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const widths = header.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const row of rows) console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
}
