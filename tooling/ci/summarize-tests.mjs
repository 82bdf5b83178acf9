#!/usr/bin/env node
// Sums the vitest JSON reports written to X_TEST_REPORT_DIR (one per package)
// and prints one line: "N passed, N failed". Exits 1 when a test failed, a
// suite failed to load, or no test ran at all.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? process.env.X_TEST_REPORT_DIR;
if (!dir) {
  console.error('usage: summarize-tests.mjs <report-dir>');
  process.exit(2);
}
let passed = 0;
let failed = 0;
let brokenSuites = 0;
const rows = [];
for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
  const report = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const p = report.numPassedTests ?? 0;
  const f = report.numFailedTests ?? 0;
  const suites = (report.testResults ?? []).filter((s) => s.status === 'failed' && (s.assertionResults ?? []).length === 0);
  passed += p;
  failed += f;
  brokenSuites += suites.length;
  rows.push(`${file.replace(/\.json$/, '').padEnd(40)} ${String(p).padStart(5)} passed ${String(f).padStart(4)} failed`);
  for (const s of suites) rows.push(`  suite failed to run: ${s.name}: ${(s.message ?? '').split('\n')[0]}`);
}
console.log(rows.join('\n'));
// A suite that failed to load counts as one failed test so it cannot pass unseen.
console.log(`${passed} passed, ${failed + brokenSuites} failed`);
process.exit(failed + brokenSuites > 0 || passed === 0 ? 1 : 0);
