/**
 * Fault-suite helpers: inject connection kills while a workload runs, and tally
 * what callers saw (errors by class, lost and duplicated writes, recovery time)
 * into one printed summary line per scenario. Each line is also appended to
 * `<cwd>/.fault-results/summary.jsonl`, so a run's table can be collected.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { adminCommand } from '../redis/index.js';

/** Counts of one fault scenario. */
export interface FaultCounts {
  /** Calls made (first tries). */
  operations: number;
  /** Caller-visible errors by `name` (plus `retryable` / `permanent` as told by the error's `retryable` flag). */
  errors: Record<string, number>;
  /** Acknowledged writes that are not there afterwards. */
  lost: number;
  /** Writes that are there more than once. */
  duplicated: number;
  /** Longest time from the first failed call to the next success, in ms (0 when nothing failed). */
  recoveryMs: number;
}

/** Collects the counts of one scenario. */
export class FaultTally {
  readonly counts: FaultCounts = { operations: 0, errors: {}, lost: 0, duplicated: 0, recoveryMs: 0 };
  #failingSince: number | undefined;

  constructor(readonly scenario: string) {}

  /** A call succeeded. */
  ok(): void {
    if (this.#failingSince !== undefined) {
      this.counts.recoveryMs = Math.max(this.counts.recoveryMs, Date.now() - this.#failingSince);
      this.#failingSince = undefined;
    }
  }

  /** A call failed visibly to its caller. */
  failed(error: unknown): void {
    this.#failingSince ??= Date.now();
    const name = error instanceof Error ? error.name : typeof error;
    const retryable = typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === true;
    const key = `${name}${retryable ? '(retryable)' : '(permanent)'}`;
    this.counts.errors[key] = (this.counts.errors[key] ?? 0) + 1;
  }

  /** Errors that were not retryable. */
  get permanentErrors(): number {
    return Object.entries(this.counts.errors)
      .filter(([k]) => k.endsWith('(permanent)'))
      .reduce((n, [, v]) => n + v, 0);
  }

  /** Prints the summary line and appends it to `.fault-results/summary.jsonl`. */
  report(): string {
    const c = this.counts;
    const errors = Object.entries(c.errors)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    const line = `[fault] ${this.scenario}: operations=${c.operations} errors={${errors}} lost=${c.lost} duplicated=${c.duplicated} recoveryMs=${c.recoveryMs}`;
    console.log(line);
    try {
      const dir = join(process.cwd(), '.fault-results');
      mkdirSync(dir, { recursive: true });
      appendFileSync(join(dir, 'summary.jsonl'), `${JSON.stringify({ scenario: this.scenario, at: new Date().toISOString(), ...c })}\n`);
    } catch {
      // the printed line is the summary; the file is a convenience
    }
    return line;
  }
}

/**
 * Kills the normal client connections of a server (`CLIENT KILL TYPE normal`)
 * every `everyMs` until `stop()` is called; resolves with how many kills hit a
 * connection.
 */
export function killConnectionsRepeatedly(node: { host: string; port: number }, everyMs = 5): { stop: () => Promise<number> } {
  let running = true;
  let killed = 0;
  const loop = (async () => {
    while (running) {
      killed += Number(await adminCommand(node, ['CLIENT', 'KILL', 'TYPE', 'normal']).catch(() => 0));
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return killed;
    },
  };
}
