import type { CaseResult } from './types.js';

function formatOps(value: number | undefined): string {
  return value === undefined ? '-' : Math.round(value).toLocaleString('en-US');
}

function formatMs(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '-';
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  if (value >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

function formatRatio(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '-' : `${value.toFixed(2)}x`;
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : formatMs(value);
}

function note(result: CaseResult): string {
  const parts: string[] = [];
  if (result.status === 'skipped') parts.push(`skipped: ${result.skipReason}`);
  if (result.status === 'error') parts.push(`error: ${result.error}`);
  if (result.baseline) parts.push('baseline');
  if (result.concurrency > 1) parts.push(`concurrency ${result.concurrency}`);
  const metric = result.metric;
  if (metric) {
    const unit = metric.unit ? ` ${metric.unit}` : '';
    if (metric.value !== undefined) parts.push(`${metric.name}: ${formatNumber(metric.value)}${unit}`);
    if (metric.summary) {
      parts.push(`${metric.name}: p50 ${formatMs(metric.summary.p50)}${unit}, p99 ${formatMs(metric.summary.p99)}${unit} (n=${metric.summary.count})`);
    }
  }
  return parts.join('; ');
}

/** The results as an aligned text table, one row per case. */
export function formatTable(results: CaseResult[]): string {
  const header = ['group', 'case', 'ops/s', 'p50 ms', 'p99 ms', 'ops/s vs base', 'p50 vs base', 'note'];
  const rows = results.map((result) => [
    result.group,
    result.name,
    formatOps(result.opsPerSec),
    formatMs(result.latencyMs?.p50),
    formatMs(result.latencyMs?.p99),
    formatRatio(result.vsBaseline?.opsPerSec),
    formatRatio(result.vsBaseline?.p50),
    note(result),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const numeric = new Set([2, 3, 4, 5, 6]);
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (numeric.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}
