import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatTable, percentile, quartiles, runBench, SampleRecorder, summarize, type BenchCase, type BenchReport } from '@x/tooling/bench';

/** Runs `cases` in four interleaved rounds (not quick mode), quietly, into a temporary directory. */
function fourRounds(title: string, cases: BenchCase[]): Promise<BenchReport> {
  vi.stubEnv('X_BENCH_QUICK', '');
  vi.stubEnv('X_BENCH_ROUNDS', '4');
  return runBench({ title, outDir: mkdtempSync(path.join(os.tmpdir(), 'bench-test-')), log: () => undefined, cases });
}


describe('percentiles', () => {
  it('interpolates between the closest ranks', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    const sorted = Float64Array.from(samples);
    expect(percentile(sorted, 0.5)).toBeCloseTo(50.5, 10);
    expect(percentile(sorted, 0.99)).toBeCloseTo(99.01, 10);
    expect(percentile(sorted, 0.9)).toBeCloseTo(90.1, 10);
    expect(percentile(sorted, 0)).toBe(1);
    expect(percentile(sorted, 1)).toBe(100);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBeNaN();
  });

  it('summarizes unsorted samples', () => {
    const samples = [9, 1, 5, 3, 7, 2, 8, 4, 6, 10];
    const summary = summarize(samples);
    expect(summary).toMatchObject({ count: 10, min: 1, max: 10, mean: 5.5 });
    expect(summary.p50).toBeCloseTo(5.5, 10);
    expect(summary.p99).toBeCloseTo(9.91, 10);
    expect(samples[0]).toBe(9); // input untouched
  });

  it('keeps a bounded, representative reservoir', () => {
    const recorder = new SampleRecorder(1000);
    for (let i = 0; i < 100_000; i++) recorder.add(i % 100);
    expect(recorder.count).toBe(100_000);
    expect(recorder.samples).toHaveLength(1000);
    expect(summarize(recorder.samples).p50).toBeGreaterThan(35);
    expect(summarize(recorder.samples).p50).toBeLessThan(65);
  });
});

describe('runBench', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    process.exitCode = undefined;
  });

  async function run(): Promise<{ report: BenchReport; lines: string[] }> {
    vi.stubEnv('X_BENCH_QUICK', '1');
    const outDir = mkdtempSync(path.join(os.tmpdir(), 'bench-test-'));
    const lines: string[] = [];
    let setups = 0;
    const report = await runBench({
      title: 'runner self test',
      outDir,
      log: (line) => lines.push(line),
      notes: ['synthetic cases'],
      cases: [
        { group: 'sleep', name: 'fast', baseline: true, fn: () => sleep(1), iterations: 20 },
        { group: 'sleep', name: 'slow', fn: () => sleep(5), iterations: 20, setup: () => void setups++ },
        { group: 'sleep', name: 'parallel', fn: () => sleep(5), iterations: 40, concurrency: 4 },
        { group: 'sleep', name: 'postgres', skip: 'PostgreSQL not reachable', fn: () => sleep(1) },
        { group: 'custom', name: 'hand-off', metric: 'hand-off latency', measure: () => [1, 2, 3, 4, 5] },
        { group: 'custom', name: 'blocked', metric: 'commands sent while blocked', measure: () => 0, unit: 'commands' },
        {
          group: 'custom',
          name: 'broken',
          fn: () => {
            throw new Error('boom');
          },
        },
      ],
    });
    expect(setups).toBe(1);
    return { report, lines };
  }

  it('measures, compares with the baseline, and reports skips, metrics and errors', async () => {
    const { report, lines } = await run();
    const byName = Object.fromEntries(report.results.map((result) => [result.name, result]));
    const { fast, slow, parallel, postgres, broken } = byName;

    expect(fast!.vsBaseline).toEqual({ opsPerSec: 1, p50: 1, opsPerSecRounds: [1], addedCpuUsRounds: [0] });
    expect(fast!.ops).toBe(20);
    expect(slow!.latencyMs!.p50).toBeGreaterThanOrEqual(4.5);
    expect(slow!.latencyMs!.p50).toBeGreaterThan(fast!.latencyMs!.p50);
    expect(slow!.vsBaseline!.opsPerSec!).toBeLessThan(1);
    expect(slow!.vsBaseline!.p50!).toBeGreaterThan(1);
    expect(slow!.vsBaseline!.opsPerSecRounds).toHaveLength(1);
    expect(slow!.vsBaseline!.opsPerSecRounds![0]!).toBeLessThan(1);
    // Four callers sleeping 5 ms each: clearly more ops/s than one.
    expect(parallel!.opsPerSec!).toBeGreaterThan(slow!.opsPerSec! * 2);
    expect(postgres).toMatchObject({ status: 'skipped', skipReason: 'PostgreSQL not reachable' });
    expect(byName['hand-off']!.metric).toMatchObject({ name: 'hand-off latency', unit: 'ms', summary: { p50: 3 } });
    expect(byName.blocked!.metric).toMatchObject({ name: 'commands sent while blocked', value: 0 });
    expect(broken).toMatchObject({ status: 'error', error: 'boom' });
    expect(process.exitCode).toBe(1);

    const table = lines.join('\n');
    expect(table).toContain('skipped: PostgreSQL not reachable');
    expect(table).toContain('commands sent while blocked: 0 commands');
    expect(table).toContain('hand-off latency: p50 3.00 ms');
    expect(table).toMatch(/sleep\s+fast\s+[\d,]+\s+[\d.]+\s+[\d.]+\s+1\.00x\s+1\.00x\s+baseline/);

    const json = JSON.parse(readFileSync(report.file, 'utf8')) as BenchReport;
    expect(path.basename(report.file)).toBe('runner-self-test.json');
    expect(json.quick).toBe(true);
    expect(json.results).toHaveLength(7);
    expect(json.results.map((result) => result.name)).toEqual(report.results.map((result) => result.name));
  });

  it('measures a group in interleaved rounds, alternating the order (X_BENCH_ROUNDS, default 10)', async () => {
    const order = async (rounds?: string) => {
      vi.stubEnv('X_BENCH_QUICK', '');
      vi.stubEnv('X_BENCH_ROUNDS', rounds ?? '');
      const calls: string[] = [];
      const outDir = mkdtempSync(path.join(os.tmpdir(), 'bench-test-'));
      const one = (name: string) => ({ group: 'g', name, iterations: 20, warmupIterations: 0, fn: () => void calls.push(name) });
      await runBench({ title: 'rounds self test', outDir, log: () => undefined, cases: [one('a'), one('b')] });
      return calls.join('');
    };
    expect(await order('4')).toBe('aaaaabbbbbbbbbbaaaaaaaaaabbbbbbbbbbaaaaa');
    // Ten rounds of two calls each: a slow spell of the machine cannot land on one case only.
    expect(await order()).toBe('aabbbbaaaabbbbaaaabbbbaaaabbbbaaaabbbbaa');
  });

  it('pairs the rounds: the ops/s ratio of each round against the slice of the baseline of the same round', async () => {
    // The baseline sleeps 1 ms a call; the other case 1 ms in rounds 1 and 3, 4 ms in rounds 2 and 4.
    let slowCalls = 0;
    const report = await fourRounds('paired rounds self test', [
      { group: 'g', name: 'base', baseline: true, iterations: 40, warmupIterations: 0, fn: () => sleep(1) },
      { group: 'g', name: 'mixed', iterations: 40, warmupIterations: 0, fn: () => sleep(Math.floor(slowCalls++ / 10) % 2 === 0 ? 1 : 4) },
    ]);
    const mixed = report.results.find((r) => r.name === 'mixed')!;
    expect(mixed.roundOpsPerSec).toHaveLength(4);
    const ratios = mixed.vsBaseline!.opsPerSecRounds!;
    expect(ratios).toHaveLength(4);
    expect(ratios[1]!).toBeLessThan(ratios[0]! * 0.7);
    expect(ratios[3]!).toBeLessThan(ratios[2]! * 0.7);
  });

  it('pairs the rounds for CPU too: the CPU µs per call beyond the baseline in each round', async () => {
    // Both sleep 1 ms a call; the other case also keeps the CPU busy for 2 ms a call in rounds 2 and 4.
    let calls = 0;
    const spin = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    const report = await fourRounds('paired cpu self test', [
      { group: 'g', name: 'base', baseline: true, iterations: 40, warmupIterations: 0, fn: () => sleep(1) },
      {
        group: 'g',
        name: 'busy',
        iterations: 40,
        warmupIterations: 0,
        fn: () => {
          if (Math.floor(calls++ / 10) % 2 === 1) spin(2);
          return sleep(1);
        },
      },
    ]);
    const busy = report.results.find((r) => r.name === 'busy')!;
    expect(busy.roundCpuUsPerOp).toHaveLength(4);
    const added = busy.vsBaseline!.addedCpuUsRounds!;
    expect(added).toHaveLength(4);
    expect(added[1]!).toBeGreaterThan(1500);
    expect(added[3]!).toBeGreaterThan(1500);
    expect(added[0]!).toBeLessThan(1000);
    expect(added[2]!).toBeLessThan(1000);
  });

  it('compares a case with the baseline it names, for a group holding several pairs', async () => {
    const cases = (name: string, ms: number) => [
      { group: 'pairs', name: `${name} raw`, baseline: true, iterations: 16, warmupIterations: 0, fn: () => sleep(ms) },
      { group: 'pairs', name, baselineName: `${name} raw`, iterations: 16, warmupIterations: 0, fn: () => sleep(ms) },
    ];
    const report = await fourRounds('pairs self test', [...cases('fast', 1), ...cases('slow', 8)]);
    const byName = Object.fromEntries(report.results.map((r) => [r.name, r]));
    // Each against its own raw row (same speed): about 1. Against the group's first baseline, slow would be far below.
    for (const name of ['fast', 'slow']) {
      expect(byName[name]!.baselineName).toBe(`${name} raw`);
      expect(byName[name]!.vsBaseline!.opsPerSec!).toBeGreaterThan(0.6);
      expect(byName[name]!.vsBaseline!.opsPerSec!).toBeLessThan(1.6);
      expect(byName[name]!.vsBaseline!.opsPerSecRounds).toHaveLength(4);
    }
    expect(byName['slow raw']!.vsBaseline!.opsPerSec).toBe(1);
  });

  it('gives the median and quartiles of per-round figures in any order, and nothing for none', () => {
    expect(quartiles([4, 1, 3, 2])).toEqual({ median: 2.5, q1: 1.75, q3: 3.25 });
    expect(quartiles([])).toBeUndefined();
    expect(quartiles(undefined)).toBeUndefined();
  });

  it('formats an empty group without crashing', () => {
    expect(formatTable([])).toContain('ops/s');
  });
});
