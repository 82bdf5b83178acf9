#!/usr/bin/env node
// `pnpm test`: every package's tests (turbo, one package at a time), then the
// fault table of the run (tooling/ci/fault-table.mjs). Under .ci/run
// (X_TEST_REPORT_DIR set) the table is printed by its summary step instead,
// just before the final "N passed, N failed" line.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const inCi = Boolean(process.env.X_TEST_REPORT_DIR);
const dir = process.env.X_FAULT_RESULTS_DIR || (inCi ? process.env.X_TEST_REPORT_DIR : mkdtempSync(join(tmpdir(), 'x-faults-')));
const run = spawnSync('pnpm', ['exec', 'turbo', 'run', 'test', '--concurrency=1', '--continue', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, X_FAULT_RESULTS_DIR: dir },
});
if (!inCi) {
  spawnSync(process.execPath, [join(import.meta.dirname, 'fault-table.mjs'), dir], { stdio: 'inherit' });
  if (!process.env.X_FAULT_RESULTS_DIR) rmSync(dir, { recursive: true, force: true });
}
process.exit(run.status ?? 1);
