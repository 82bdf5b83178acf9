import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { countLostAndDuplicated, errorClass, FaultTally } from '../src/faults/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  delete process.env.X_FAULT_RESULTS_DIR;
});

class ReplyError extends Error {
  readonly code = 'ERR_SCRIPT';
  constructor(readonly redisMessage: string) {
    super(`script failed: ${redisMessage}`);
    this.name = 'ScriptError';
  }
}

describe('the fault tally', () => {
  it('classes errors by name, code and reply prefix, split by the given isRetryable', () => {
    expect(errorClass(new ReplyError('LOADING Redis is loading the dataset in memory'))).toBe('ScriptError[ERR_SCRIPT](LOADING)');
    expect(errorClass(new TypeError('boom'))).toBe('TypeError');
    const tally = new FaultTally({ package: '@x/p', topology: 'standalone', fault: 'loading', workload: 'w' }, (e) => e instanceof ReplyError);
    expect(tally.failed(new ReplyError('LOADING x'))).toBe(true);
    expect(tally.failed(new TypeError('boom'))).toBe(false);
    expect(tally.counts.errors).toEqual({ 'retryable:ScriptError[ERR_SCRIPT](LOADING)': 1, 'permanent:TypeError': 1 });
    expect(tally.permanentErrors).toBe(1);
    expect(tally.errorsOf('retryable')).toBe(1);
  });

  it('counts lost and duplicated ids', () => {
    expect(countLostAndDuplicated(['a', 'b', 'c'], ['a', 'a', 'c', 'x'])).toEqual({ lost: 1, duplicated: 1 });
  });

  it('prints one line, appends a row, and the table script prints it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fault-tally-'));
    dirs.push(dir);
    process.env.X_FAULT_RESULTS_DIR = dir;
    const tally = new FaultTally({ package: '@x/p', topology: 'cluster 3+3', fault: 'master-kill', workload: 'append with id' });
    tally.counts.operations = 12;
    tally.counts.lost = 2;
    tally.recovered(340);
    tally.failed(Object.assign(new Error('CLUSTERDOWN The cluster is down'), { retryable: true }));
    const line = tally.report();
    expect(line).toBe('[fault] @x/p cluster 3+3 master-kill | append with id | operations=12 errors{retryable:Error(CLUSTERDOWN)=1} lost=2 duplicated=0 recoveryMs=340');
    const row = JSON.parse(readFileSync(join(dir, 'faults.jsonl'), 'utf8').trim());
    expect(row).toMatchObject({ package: '@x/p', fault: 'master-kill', operations: 12, lost: 2, recoveryMs: 340 });
    const table = execFileSync(process.execPath, [join(import.meta.dirname, '..', 'ci', 'fault-table.mjs'), dir], { encoding: 'utf8' });
    expect(table).toMatch(/@x\/p\s+cluster 3\+3\s+master-kill\s+12\s+1\s+0\s+2\s+0\s+340\s+Error\(CLUSTERDOWN\)=1/);
  });
});
