#!/usr/bin/env node
// Prints the fault table of a run: every row the fault suites appended to
// `faults.jsonl` (see @x/tooling/faults) in the given directories (default:
// X_FAULT_RESULTS_DIR, else X_TEST_REPORT_DIR, else every package's
// .fault-results). Prints nothing when no fault suite ran.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
function defaultDirs() {
  const env = process.env.X_FAULT_RESULTS_DIR || process.env.X_TEST_REPORT_DIR;
  if (env) return [env];
  return ['packages', 'examples'].flatMap((group) =>
    existsSync(join(root, group)) ? readdirSync(join(root, group)).map((p) => join(root, group, p, '.fault-results')) : [],
  );
}
const dirs = process.argv.length > 2 ? process.argv.slice(2) : defaultDirs();
const rows = [];
for (const dir of dirs) {
  const file = join(dir, 'faults.jsonl');
  if (!existsSync(file)) continue;
  for (const line of readFileSync(file, 'utf8').split('\n')) if (line.trim()) rows.push(JSON.parse(line));
}
if (rows.length === 0) process.exit(0);
rows.sort((a, b) => `${a.package} ${a.topology} ${a.fault}`.localeCompare(`${b.package} ${b.topology} ${b.fault}`));

const sum = (errors, kind) => Object.entries(errors).filter(([k]) => k.startsWith(`${kind}:`)).reduce((n, [, v]) => n + v, 0);
const classes = (errors) =>
  Object.entries(errors)
    .map(([k, v]) => `${k.replace(/^(retryable|permanent):/, '')}=${v}`)
    .join(' ') || '-';
const table = [['package', 'topology', 'fault', 'operations', 'retryable', 'permanent', 'lost', 'duplicated', 'recovery ms', 'errors by class']];
for (const r of rows) {
  table.push([r.package || '-', r.topology || '-', r.fault || r.workload, String(r.operations), String(sum(r.errors, 'retryable')), String(sum(r.errors, 'permanent')), String(r.lost), String(r.duplicated), String(r.recoveryMs), classes(r.errors)]);
}
const widths = table[0].map((_, i) => Math.max(...table.map((row) => (i === table[0].length - 1 ? 0 : row[i].length))));
const numeric = new Set([3, 4, 5, 6, 7, 8]);
console.log(`\nFault table (${rows.length} scenarios; lost and duplicated count acknowledged writes; recovery = longest time one caller went without an acknowledged call)`);
for (const row of table) console.log(row.map((cell, i) => (i === row.length - 1 ? cell : numeric.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  '));
