import type { Summary } from './stats.js';

type MaybePromise<T> = T | Promise<T>;

/**
 * What a custom `measure()` returns: a single number, samples (summarised as p50/p99),
 * or both with a unit and optionally an ops/s figure.
 */
export type MeasureResult =
  | number
  | number[]
  | { value?: number; samples?: number[]; unit?: string; opsPerSec?: number };

export interface BenchCase {
  name: string;
  /** Cases in one group are compared with each other. */
  group: string;
  /** The group's reference case; ratios are relative to it. */
  baseline?: boolean;
  /**
   * The name of the baseline case of the same group this case is compared with, for a
   * group holding several pairs (each measured in the same alternating rounds). Default:
   * the group's first baseline.
   */
  baselineName?: string;
  /** A reason to skip (e.g. "PostgreSQL not reachable"), or a function deciding at run time. */
  skip?: string | false | (() => MaybePromise<string | false | undefined>);
  setup?: () => MaybePromise<unknown>;
  teardown?: () => MaybePromise<unknown>;
  /** One operation; timed per call. */
  fn?: () => MaybePromise<unknown>;
  /** Concurrent callers of `fn` (default 1). */
  concurrency?: number;
  /** Measured calls in total (across callers). Default: run for `durationMs`. */
  iterations?: number;
  /** Measured time (default 2000 ms) when `iterations` is not set. */
  durationMs?: number;
  /** Warm-up calls before measuring (default: `warmupMs` worth). */
  warmupIterations?: number;
  /** Warm-up time (default 300 ms) when `warmupIterations` is not set. */
  warmupMs?: number;
  /** A custom metric, run once after the timed part (e.g. "hand-off latency"). */
  measure?: () => MaybePromise<MeasureResult>;
  /** Label of the custom metric, e.g. "commands sent while blocked". */
  metric?: string;
  /** Unit of the custom metric (default "ms" for samples, "" for a value). */
  unit?: string;
}

export interface CaseResult {
  group: string;
  name: string;
  baseline: boolean;
  /** The case this one's ratios are against, when not the group's first baseline (see {@link BenchCase.baselineName}). */
  baselineName?: string;
  status: 'ok' | 'skipped' | 'error';
  skipReason?: string;
  error?: string;
  concurrency: number;
  ops?: number;
  elapsedMs?: number;
  opsPerSec?: number;
  /** Per-call latency of `fn`, in ms. */
  latencyMs?: Summary;
  metric?: { name: string; unit: string; value?: number; summary?: Summary };
  /** CPU time of this process (user + system) per call of `fn`, in µs, over the measured slices. */
  cpuUsPerOp?: number;
  /** Ops/s of each measuring round (rounds alternate between the cases of a group). */
  roundOpsPerSec?: number[];
  /** CPU µs per call of each measuring round (the same slices as `roundOpsPerSec`). */
  roundCpuUsPerOp?: number[];
  /**
   * Ratios against the group's baseline: ops/s (higher is better) and p50 (lower is better).
   * `opsPerSecRounds`: the ops/s ratio of each round (this case's slice over the baseline's
   * slice of the same round), which a slow spell of the machine moves far less than the totals.
   * `addedCpuUsRounds`: the CPU µs per call this case spent beyond the baseline in each round.
   */
  vsBaseline?: { opsPerSec?: number; p50?: number; opsPerSecRounds?: number[]; addedCpuUsRounds?: number[] };
}

export interface BenchOptions {
  title: string;
  cases: BenchCase[];
  /** Lines printed above the table and stored in the JSON (e.g. the Redis summary). */
  notes?: string[];
  /** Interleaved measuring rounds per group (default `X_BENCH_ROUNDS`, else 10; 1 with X_BENCH_QUICK=1). */
  rounds?: number;
  /** Where the JSON goes (default `<cwd>/.bench-results`). */
  outDir?: string;
  /** Printer for the table (default console.log). */
  log?: (line: string) => void;
}

export interface BenchReport {
  title: string;
  startedAt: string;
  node: string;
  quick: boolean;
  notes: string[];
  results: CaseResult[];
  /** Path of the JSON file written. */
  file: string;
}
