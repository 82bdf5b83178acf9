import { describe, expect, it } from 'vitest';
import { ServerClockEstimate } from '../src/server-clock.js';

// The arithmetic of the estimate on made-up readings (no Redis involved: the
// integration test in redis.test.ts checks lookups against a real server clock).
// Notation: a reading S taken by a call between local a0 and a1; a read between
// local b0 and b1 ran when the server clock was in [S + b0 - a1 - d, S + b1 - a0 + d].
// An entry expiring at E is alive while the clock is below E + 1.
describe('ServerClockEstimate', () => {
  const S = 5_000_000;
  const make = (options: { maxAgeMs?: number; driftPpm?: number } = {}) => new ServerClockEstimate({ now: () => 0, ...options });

  it('has nothing to judge by until it has a reading, and drops readings older than maxAgeMs', () => {
    const clock = make({ maxAgeMs: 1000 });
    expect(clock.fresh(10_000)).toBe(false);
    expect(clock.judge(S, 10_000, 10_001)).toBe('unsure');
    clock.observe(S, 10_000, 10_002);
    expect(clock.fresh(10_500)).toBe(true);
    expect(clock.fresh(11_002)).toBe(true);
    expect(clock.fresh(11_003)).toBe(false);
    expect(clock.judge(S + 10_000_000, 11_003, 11_004)).toBe('unsure'); // far in the future, but the reading is too old
    expect(clock.judge(S + 10_000_000, 11_000, 11_004)).toBe('alive'); // sent while it was fresh
  });

  it('decides only what every moment the server could have run the read agrees on', () => {
    const clock = make({ driftPpm: 0 });
    clock.observe(S, 10_000, 10_002);
    // read between local 10 100 and 10 101: the server clock was in [S + 98, S + 101]
    expect(clock.judge(S + 101, 10_100, 10_101)).toBe('alive'); // S + 101 < E + 1 = S + 102
    expect(clock.judge(S + 100, 10_100, 10_101)).toBe('unsure'); // S + 101 would be past it
    expect(clock.judge(S + 98, 10_100, 10_101)).toBe('unsure'); // S + 98 would not be
    expect(clock.judge(S + 97, 10_100, 10_101)).toBe('expired'); // S + 98 >= E + 1
    expect(clock.judge(Number.NaN, 10_100, 10_101)).toBe('unsure');
    expect(clock.judge(S + 1000, 10_101, 10_100)).toBe('unsure'); // answered before sent: not a real call
  });

  it('widens the bounds by the allowed drift over the time since the reading', () => {
    const exact = make({ maxAgeMs: 100_000, driftPpm: 0 });
    const drifting = make({ maxAgeMs: 100_000, driftPpm: 1000 });
    for (const c of [exact, drifting]) c.observe(S, 10_000, 10_001);
    // 50 s later, between local 60 000 and 60 001: the clock was in [S + 49 999, S + 50 001], widened by 50.001 ms with drift
    expect(exact.judge(S + 50_001, 60_000, 60_001)).toBe('alive');
    expect(drifting.judge(S + 50_001, 60_000, 60_001)).toBe('unsure');
    expect(drifting.judge(S + 50_051, 60_000, 60_001)).toBe('alive');
    expect(exact.judge(S + 49_998, 60_000, 60_001)).toBe('expired');
    expect(drifting.judge(S + 49_998, 60_000, 60_001)).toBe('unsure');
    expect(drifting.judge(S + 49_948, 60_000, 60_001)).toBe('unsure'); // S + 49 948.999 would not be past it
    expect(drifting.judge(S + 49_947, 60_000, 60_001)).toBe('expired');
  });

  it('works with a reading taken while the read was under way, and keeps the newest reading', () => {
    const clock = make({ driftPpm: 0 });
    clock.observe(S, 10_100, 10_105);
    // read between 10 090 and 10 110: the clock was in [S - 15, S + 10]
    expect(clock.judge(S + 10, 10_090, 10_110)).toBe('alive');
    expect(clock.judge(S + 9, 10_090, 10_110)).toBe('unsure');
    expect(clock.judge(S - 16, 10_090, 10_110)).toBe('expired');
    clock.observe(S - 1_000_000, 9_000, 9_001); // older than the one kept: ignored
    expect(clock.judge(S - 16, 10_090, 10_110)).toBe('expired');
    clock.observe(S + 1000, 11_000, 11_001); // newer: replaces it
    expect(clock.judge(S + 990, 11_010, 11_011)).toBe('expired');
  });
});
