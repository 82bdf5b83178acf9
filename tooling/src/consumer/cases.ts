import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface CaseResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

/** Named checks with their outcome, reported like a test runner (and in vitest's JSON shape). */
export class Cases {
  readonly results: CaseResult[] = [];
  /** What the checks printed, when the instance buffers (see {@link Cases.buffered}). */
  readonly lines: string[] = [];

  /** @param buffered - keep the output in {@link Cases.lines} instead of printing it (for checks that run side by side). */
  constructor(private readonly buffered = false) {}

  /** Prints a line now, or keeps it with the other lines of this instance. */
  log(line: string): void {
    if (this.buffered) this.lines.push(line);
    else console.log(line);
  }

  /** Takes over the results of a buffered instance and prints its lines. */
  merge(other: Cases): void {
    this.results.push(...other.results);
    for (const line of other.lines) console.log(line);
  }

  /** Runs one check; a throw fails it (the message is kept), the next check still runs. */
  async check<T>(name: string, fn: () => Promise<T>): Promise<T | undefined> {
    const t0 = performance.now();
    try {
      const value = await fn();
      const ms = performance.now() - t0;
      this.results.push({ name, ok: true, ms });
      this.log(`  ok    ${name} (${(ms / 1000).toFixed(1)} s)`);
      return value;
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      this.results.push({ name, ok: false, ms: performance.now() - t0, error });
      this.log(`  FAIL  ${name}\n${error.split('\n').slice(0, 30).map((l) => `        ${l}`).join('\n')}`);
      return undefined;
    }
  }

  get passed(): number {
    return this.results.filter((r) => r.ok).length;
  }

  get failed(): number {
    return this.results.length - this.passed;
  }

  /** Writes `<dir>/<file>` in the shape of vitest's JSON reporter (what CI sums up). */
  writeReport(dir: string, file: string): void {
    mkdirSync(dir, { recursive: true });
    const report = {
      numPassedTests: this.passed,
      numFailedTests: this.failed,
      numTotalTests: this.results.length,
      testResults: [
        {
          name: 'consumer check',
          status: this.failed ? 'failed' : 'passed',
          assertionResults: this.results.map((r) => ({
            title: r.name,
            fullName: r.name,
            status: r.ok ? 'passed' : 'failed',
            duration: r.ms,
            failureMessages: r.error ? [r.error] : [],
          })),
        },
      ],
    };
    writeFileSync(join(dir, file), JSON.stringify(report, null, 2));
  }
}
