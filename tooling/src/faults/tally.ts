/**
 * The counts of one fault scenario and its one-line summary. Every line is
 * also appended to `faults.jsonl` in the results directory, so a run's fault
 * table can be printed at its end (`tooling/ci/fault-table.mjs`).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** The faults the kit injects (see `runFaultScenario`). */
export const FAULT_KINDS = ['connection-kill', 'script-flush', 'loading', 'master-kill', 'master-stall'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Counts of one fault scenario. */
export interface FaultCounts {
  /** Calls made (first tries; a retry of the same call is not counted again). */
  operations: number;
  /** Caller-visible errors by class: `retryable:<Name>[<code>](<reply prefix>)` or `permanent:...`. */
  errors: Record<string, number>;
  /** Acknowledged writes that are not there afterwards. */
  lost: number;
  /** Writes that are there more than once. */
  duplicated: number;
  /** Longest time one caller went without an acknowledged call once the fault began, in ms. */
  recoveryMs: number;
}

/** What a summary line is about. */
export interface ScenarioLabel {
  /** The package, e.g. `@x/lock`. */
  package: string;
  /** `standalone` or `cluster` (3+3 when a master is killed or stalled). */
  topology: string;
  fault: FaultKind | string;
  /** The workload and how it retries, e.g. `appendMessage with operationId`. */
  workload: string;
}

/** One row of the fault table (a line of `faults.jsonl`). */
export interface FaultRow extends ScenarioLabel, FaultCounts {
  /** Anything else measured (failover time, kills made). */
  note: string;
  at: string;
}

/** Where summary rows go: `X_FAULT_RESULTS_DIR`, else `X_TEST_REPORT_DIR`, else `<cwd>/.fault-results`. */
export function faultResultsDir(): string {
  return process.env.X_FAULT_RESULTS_DIR || process.env.X_TEST_REPORT_DIR || join(process.cwd(), '.fault-results');
}

/** Reads the `retryable` flag the `@x` errors carry (packages pass their `isRetryable` instead). */
function flagged(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === true;
}

/** The class key of an error: its name, its `code`, and the prefix of a Redis reply (`LOADING`, `MOVED`...). */
export function errorClass(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const e = error as Error & { code?: unknown; redisMessage?: unknown };
  const code = typeof e.code === 'string' ? `[${e.code}]` : '';
  const reply = typeof e.redisMessage === 'string' ? e.redisMessage : e.message;
  const prefix = /^([A-Z]{3,})(?:\s|$)/.exec(reply)?.[1];
  return `${e.name}${code}${prefix ? `(${prefix})` : ''}`;
}

/** Collects the counts of one scenario. */
export class FaultTally {
  readonly counts: FaultCounts = { operations: 0, errors: {}, lost: 0, duplicated: 0, recoveryMs: 0 };
  readonly label: ScenarioLabel;
  /** Extra measurements printed after the counts. */
  note = '';
  readonly #isRetryable: (error: unknown) => boolean;
  #failingSince: number | undefined;

  /**
   * `label` is the row's identity (a bare string is kept as the workload, for
   * older call sites). `isRetryable` classifies errors (default: the error's
   * own `retryable` flag).
   */
  constructor(label: ScenarioLabel | string, isRetryable: (error: unknown) => boolean = flagged) {
    this.label = typeof label === 'string' ? { package: '', topology: '', fault: '', workload: label } : label;
    this.#isRetryable = isRetryable;
  }

  /** A call succeeded (without a writer loop: closes the longest failing stretch for `recoveryMs`). */
  ok(): void {
    if (this.#failingSince !== undefined) {
      this.recovered(Date.now() - this.#failingSince);
      this.#failingSince = undefined;
    }
  }

  /** Records a stretch without success of `ms`; `recoveryMs` keeps the longest. */
  recovered(ms: number): void {
    this.counts.recoveryMs = Math.max(this.counts.recoveryMs, Math.round(ms));
  }

  /** A call failed visibly to its caller; returns whether it is retryable. */
  failed(error: unknown): boolean {
    this.#failingSince ??= Date.now();
    const retryable = this.#isRetryable(error);
    const key = `${retryable ? 'retryable' : 'permanent'}:${errorClass(error)}`;
    this.counts.errors[key] = (this.counts.errors[key] ?? 0) + 1;
    return retryable;
  }

  /** Errors of one class (`retryable` or `permanent`), summed. */
  errorsOf(kind: 'retryable' | 'permanent'): number {
    return Object.entries(this.counts.errors)
      .filter(([k]) => k.startsWith(`${kind}:`))
      .reduce((n, [, v]) => n + v, 0);
  }

  /** Errors that were not retryable. */
  get permanentErrors(): number {
    return this.errorsOf('permanent');
  }

  /** The summary line (see {@link formatFaultRow}). */
  line(): string {
    return formatFaultRow({ ...this.label, ...this.counts, note: this.note, at: '' });
  }

  /** Prints the summary line and appends the row to `faults.jsonl` in {@link faultResultsDir}. */
  report(): string {
    const line = this.line();
    console.log(line);
    try {
      const dir = faultResultsDir();
      mkdirSync(dir, { recursive: true });
      const row: FaultRow = { ...this.label, ...this.counts, errors: { ...this.counts.errors }, note: this.note, at: new Date().toISOString() };
      appendFileSync(join(dir, 'faults.jsonl'), `${JSON.stringify(row)}\n`);
    } catch {
      // the printed line is the summary; the file is for the run's table
    }
    return line;
  }
}

/** `[fault] <package> <topology> <fault> | <workload> | operations=… errors{…} lost=… duplicated=… recoveryMs=…` */
export function formatFaultRow(r: FaultRow): string {
  const errors = Object.entries(r.errors)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const head = [r.package, r.topology, r.fault].filter(Boolean).join(' ');
  return (
    `[fault] ${head ? `${head} | ` : ''}${r.workload} | operations=${r.operations} errors{${errors}} ` +
    `lost=${r.lost} duplicated=${r.duplicated} recoveryMs=${r.recoveryMs}${r.note ? ` | ${r.note}` : ''}`
  );
}
