import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runSlice, toMetric } from './measure.js';
import { SampleRecorder, summarize } from './stats.js';
import { formatTable } from './table.js';
import type { BenchCase, BenchOptions, BenchReport, CaseResult } from './types.js';

const DEFAULT_DURATION_MS = 2000;
const DEFAULT_WARMUP_MS = 300;
/**
 * Interleaved rounds per group. On a shared, noisy machine a slow spell lasts
 * seconds; with 3 long slices per case it lands on one case and moves a ratio by
 * 20-30 % from run to run, with 10 short ones it is spread over all cases.
 */
const DEFAULT_ROUNDS = 10;

/** True when X_BENCH_QUICK=1: every case runs briefly (smoke tests, CI). */
export function isQuick(): boolean {
  return process.env.X_BENCH_QUICK === '1';
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

interface Plan {
  measuredCalls?: number;
  measuredMs?: number;
  warmupCalls?: number;
  warmupMs?: number;
}

function plan(benchCase: BenchCase, quick: boolean): Plan {
  const limit = (value: number, quickLimit: number) => (quick ? Math.min(value, quickLimit) : value);
  const { iterations, durationMs, warmupIterations, warmupMs } = benchCase;
  const measured: Plan =
    iterations !== undefined
      ? { measuredCalls: limit(iterations, 50) }
      : { measuredMs: limit(durationMs ?? DEFAULT_DURATION_MS, 150) };
  const warmup: Plan =
    warmupIterations !== undefined
      ? { warmupCalls: limit(warmupIterations, 10) }
      : iterations !== undefined && warmupMs === undefined
        ? { warmupCalls: limit(Math.min(iterations, 100), 5) }
        : { warmupMs: limit(warmupMs ?? DEFAULT_WARMUP_MS, 30) };
  return { ...measured, ...warmup };
}

function fileName(title: string): string {
  return `${title.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'bench'}.json`;
}

/** Measures one group: setup all, warm up all, then `rounds` interleaved rounds, then teardown. */
async function runGroup(cases: BenchCase[], rounds: number, quick: boolean): Promise<CaseResult[]> {
  const entries = await Promise.all(
    cases.map(async (benchCase) => {
      const result: CaseResult = {
        group: benchCase.group,
        name: benchCase.name,
        baseline: benchCase.baseline === true,
        ...(benchCase.baselineName !== undefined ? { baselineName: benchCase.baselineName } : {}),
        status: 'ok',
        concurrency: Math.max(1, Math.floor(benchCase.concurrency ?? 1)),
      };
      let skipReason: string | false | undefined;
      try {
        skipReason = typeof benchCase.skip === 'function' ? await benchCase.skip() : benchCase.skip;
      } catch (error) {
        skipReason = `skip check failed: ${message(error)}`;
      }
      if (skipReason) {
        result.status = 'skipped';
        result.skipReason = skipReason;
      }
      return { benchCase, result, plan: plan(benchCase, quick), recorder: new SampleRecorder(), calls: 0, elapsedMs: 0, cpuUs: 0, roundOps: [] as number[], roundCpu: [] as number[], setUp: false };
    }),
  );
  const fail = (entry: (typeof entries)[number], error: unknown) => {
    entry.result.status = 'error';
    entry.result.error = message(error);
  };
  const live = () => entries.filter((entry) => entry.result.status === 'ok');

  for (const entry of live()) {
    try {
      await entry.benchCase.setup?.();
      entry.setUp = true;
    } catch (error) {
      fail(entry, error);
    }
  }
  for (const entry of live()) {
    const { fn } = entry.benchCase;
    if (!fn) continue;
    try {
      const { warmupCalls, warmupMs } = entry.plan;
      await runSlice(fn, entry.result.concurrency, warmupCalls !== undefined ? { calls: warmupCalls } : { ms: warmupMs ?? 0 });
    } catch (error) {
      fail(entry, error);
    }
  }
  for (let round = 0; round < rounds; round++) {
    // Alternate the order so no case always runs first (warm caches, GC debt).
    const order = round % 2 === 0 ? live() : live().reverse();
    for (const entry of order) {
      const { fn } = entry.benchCase;
      if (!fn) continue;
      const { measuredCalls, measuredMs } = entry.plan;
      const budget =
        measuredCalls !== undefined
          ? { calls: Math.ceil(((round + 1) * measuredCalls) / rounds) - Math.ceil((round * measuredCalls) / rounds) }
          : { ms: (measuredMs ?? 0) / rounds };
      try {
        const slice = await runSlice(fn, entry.result.concurrency, budget, entry.recorder);
        entry.calls += slice.calls;
        entry.elapsedMs += slice.elapsedMs;
        entry.cpuUs += slice.cpuUs;
        if (slice.elapsedMs > 0) entry.roundOps.push(slice.calls / (slice.elapsedMs / 1000));
        if (slice.calls > 0) entry.roundCpu.push(slice.cpuUs / slice.calls);
      } catch (error) {
        fail(entry, error);
      }
    }
  }
  for (const entry of live()) {
    const { measure, metric, unit, name } = entry.benchCase;
    if (!measure) continue;
    try {
      const measured = toMetric(await measure(), metric ?? name, unit);
      entry.result.metric = measured.metric;
      if (measured.opsPerSec !== undefined && !entry.benchCase.fn) entry.result.opsPerSec = measured.opsPerSec;
    } catch (error) {
      fail(entry, error);
    }
  }
  for (const entry of entries) {
    if (!entry.setUp) continue;
    try {
      await entry.benchCase.teardown?.();
    } catch (error) {
      if (entry.result.status === 'ok') fail(entry, `teardown: ${message(error)}`);
    }
  }

  for (const entry of live()) {
    if (!entry.benchCase.fn || entry.calls === 0) continue;
    entry.result.ops = entry.calls;
    entry.result.elapsedMs = entry.elapsedMs;
    entry.result.opsPerSec = entry.calls / (entry.elapsedMs / 1000);
    if (entry.roundOps.length === rounds) entry.result.roundOpsPerSec = entry.roundOps;
    if (entry.roundCpu.length === rounds) entry.result.roundCpuUsPerOp = entry.roundCpu;
    entry.result.cpuUsPerOp = entry.cpuUs / entry.calls;
    entry.result.latencyMs = summarize(entry.recorder.samples);
  }
  addBaselineRatios(entries.map((entry) => entry.result));
  return entries.map((entry) => entry.result);
}

/**
 * Fills `vsBaseline` for every measured case of a group against its baseline: the case its
 * `baselineName` names, else the group's first baseline (when measured).
 */
export function addBaselineRatios(group: CaseResult[]): void {
  const first = group.find((result) => result.baseline && result.status === 'ok');
  for (const result of group) {
    if (result.status !== 'ok') continue;
    const baseline =
      result.baselineName !== undefined ? group.find((r) => r.name === result.baselineName && r.status === 'ok') : result.baseline ? result : first;
    if (!baseline) continue;
    const ratios: NonNullable<CaseResult['vsBaseline']> = {};
    if (result.opsPerSec !== undefined && baseline.opsPerSec) ratios.opsPerSec = result.opsPerSec / baseline.opsPerSec;
    if (result.latencyMs && baseline.latencyMs?.p50) ratios.p50 = result.latencyMs.p50 / baseline.latencyMs.p50;
    const mine = result.roundOpsPerSec;
    const base = baseline.roundOpsPerSec;
    if (mine && base && mine.length === base.length) ratios.opsPerSecRounds = mine.map((ops, i) => ops / base[i]!);
    const myCpu = result.roundCpuUsPerOp;
    const baseCpu = baseline.roundCpuUsPerOp;
    if (myCpu && baseCpu && myCpu.length === baseCpu.length) ratios.addedCpuUsRounds = myCpu.map((us, i) => us - baseCpu[i]!);
    if (Object.keys(ratios).length > 0) result.vsBaseline = ratios;
  }
}

/**
 * Runs every case in this process, group by group (cases of a group interleaved round by
 * round), prints a table and writes the results to `<cwd>/.bench-results/<title>.json`.
 * Sets `process.exitCode = 1` when a case failed.
 */
export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const quick = isQuick();
  const log = options.log ?? ((line: string) => console.log(line));
  const rounds = Math.max(1, Math.floor(options.rounds ?? (Number(process.env.X_BENCH_ROUNDS) || (quick ? 1 : DEFAULT_ROUNDS))));
  const startedAt = new Date().toISOString();
  const groups = new Map<string, BenchCase[]>();
  for (const benchCase of options.cases) {
    const list = groups.get(benchCase.group) ?? [];
    list.push(benchCase);
    groups.set(benchCase.group, list);
  }
  const notes = options.notes ?? [];
  log(`\n${options.title}${quick ? ' (quick mode: X_BENCH_QUICK=1)' : ''}`);
  for (const line of notes) log(`  ${line}`);
  const results: CaseResult[] = [];
  for (const cases of groups.values()) results.push(...(await runGroup(cases, rounds, quick)));
  log('');
  log(formatTable(results));
  const dir = options.outDir ?? path.join(process.cwd(), '.bench-results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, fileName(options.title));
  const report: BenchReport = { title: options.title, startedAt, node: process.version, quick, notes, results, file };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  log(`\nresults: ${file}`);
  if (results.some((result) => result.status === 'error')) process.exitCode = 1;
  return report;
}
