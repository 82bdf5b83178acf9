// The instruction-count mode's settings and the row a counting child is given (plumbing: the count
// itself needs valgrind and minutes per operation, so it is a bench, run by hand).
import { describe, expect, it } from 'vitest';
import { instructionSettings, parseRow } from '../src/bench/instructions.js';

describe('instruction counts: settings', () => {
  it('defaults to 4000 warm-up operations and windows of 1000 and 5000', () => {
    expect(instructionSettings({})).toEqual({ warmup: 4000, windows: [1000, 5000] });
  });

  it('takes both from the environment', () => {
    expect(instructionSettings({ X_BENCH_INSTRUCTIONS_OPS: '200,600', X_BENCH_INSTRUCTIONS_WARMUP: '50' })).toEqual({ warmup: 50, windows: [200, 600] });
  });

  it('refuses windows that do not increase, and counts that are not whole numbers', () => {
    for (const ops of ['5000,1000', '100,100', '1000', 'a,b', '1.5,3', '-1,5']) {
      expect(() => instructionSettings({ X_BENCH_INSTRUCTIONS_OPS: ops })).toThrow(/two increasing counts/);
    }
    expect(() => instructionSettings({ X_BENCH_INSTRUCTIONS_WARMUP: 'lots' })).toThrow(/two increasing counts/);
  });
});

describe('instruction counts: the child row', () => {
  it('is absent outside a counting child', () => {
    expect(parseRow(undefined)).toBeUndefined();
  });

  it('reads operation, library, row and count', () => {
    expect(parseRow('1|ioredis|raw|5000')).toEqual({ op: 1, kind: 'ioredis', mode: 'raw', count: 5000 });
    expect(parseRow('0|node-redis|ours|1000')).toEqual({ op: 0, kind: 'node-redis', mode: 'ours', count: 1000 });
  });

  it('refuses an unknown library or row', () => {
    expect(() => parseRow('0|valkey|raw|10')).toThrow(/bad X_BENCH_INSTRUCTIONS_ROW/);
    expect(() => parseRow('0|ioredis|fast|10')).toThrow(/bad X_BENCH_INSTRUCTIONS_ROW/);
  });
});
