import { SampleRecorder, summarize } from './stats.js';
import type { CaseResult, MeasureResult } from './types.js';

export interface SliceBudget {
  /** Stop after this many calls in total... */
  calls?: number;
  /** ...or after this many ms. */
  ms?: number;
}

/**
 * Calls `fn` from `concurrency` concurrent callers until the budget is spent, recording each
 * call's latency in ms. Returns the calls made and the wall time they took.
 */
export async function runSlice(
  fn: () => unknown,
  concurrency: number,
  budget: SliceBudget,
  recorder?: SampleRecorder,
): Promise<{ calls: number; elapsedMs: number; cpuUs: number }> {
  const cpuBefore = process.cpuUsage();
  let remaining = budget.calls ?? Number.POSITIVE_INFINITY;
  const started = performance.now();
  const deadline = budget.calls === undefined ? started + (budget.ms ?? 0) : Number.POSITIVE_INFINITY;
  let calls = 0;
  const caller = async () => {
    for (;;) {
      if (budget.calls !== undefined) {
        if (remaining <= 0) return;
        remaining--;
      } else if (performance.now() >= deadline) {
        return;
      }
      const t0 = process.hrtime.bigint();
      await fn();
      const t1 = process.hrtime.bigint();
      calls++;
      recorder?.add(Number(t1 - t0) / 1e6);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, caller));
  const cpu = process.cpuUsage(cpuBefore);
  return { calls, elapsedMs: performance.now() - started, cpuUs: cpu.user + cpu.system };
}

/** Turns what a custom `measure()` returned into the `metric` of a result. */
export function toMetric(
  result: MeasureResult,
  name: string,
  unit: string | undefined,
): { metric: NonNullable<CaseResult['metric']>; opsPerSec?: number } {
  if (typeof result === 'number') return { metric: { name, unit: unit ?? '', value: result } };
  if (Array.isArray(result)) return { metric: { name, unit: unit ?? 'ms', summary: summarize(result) } };
  const metric: NonNullable<CaseResult['metric']> = { name, unit: result.unit ?? unit ?? (result.samples ? 'ms' : '') };
  if (result.value !== undefined) metric.value = result.value;
  if (result.samples) metric.summary = summarize(result.samples);
  return result.opsPerSec === undefined ? { metric } : { metric, opsPerSec: result.opsPerSec };
}
