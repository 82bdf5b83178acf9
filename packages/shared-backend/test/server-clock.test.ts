import { describe, expect, it } from 'vitest';
import { DEFAULT_DRIFT_PPM, DEFAULT_MAX_AGE_MS, ServerClockEstimate } from '../src/server-clock.js';

// The arithmetic of the estimate on made-up readings (no Redis involved: the
// integration tests in redis.test.ts check lookups against a real server clock).
// Notation: a reading S taken by a call between local a0 and a1; a read between
// local b0 and b1 ran when the server clock was in [S + b0 - a1 - d, S + b1 - a0 + d].
// An entry expiring at E is alive while the clock is below E + 1.
describe('ServerClockEstimate', () => {
  const S = 5_000_000;
  const wall = { t: 1_700_000_000_000 };
  const make = (options: { maxAgeMs?: number; driftPpm?: number } = {}) =>
    new ServerClockEstimate({ now: () => 0, wallNow: () => wall.t, ...options });

  it('defaults to readings of at most 250 ms and a 10 % drift allowance', () => {
    expect(DEFAULT_MAX_AGE_MS).toBe(250);
    expect(DEFAULT_DRIFT_PPM).toBe(100_000);
    const clock = new ServerClockEstimate({ wallNow: () => wall.t });
    const t = Math.round(clock.now()); // performance.now by default (rounded: exact sums below)
    clock.observe(S, t, t + 1);
    expect(clock.fresh(t + 251)).toBe(true);
    expect(clock.fresh(t + 252)).toBe(false);
    // 100 ms after the reading: the clock was in [S + 99 - 10.1, S + 101 + 10.1]
    expect(clock.judge(S + 111, t + 100, t + 101)).toBe('alive');
    expect(clock.judge(S + 110, t + 100, t + 101)).toBe('unsure');
    expect(clock.judge(S + 87, t + 100, t + 101)).toBe('expired');
    expect(clock.judge(S + 88, t + 100, t + 101)).toBe('unsure');
  });

  it('has nothing to judge by until it has a reading, and drops readings older than maxAgeMs', () => {
    const clock = make({ maxAgeMs: 1000 });
    expect(clock.fresh(10_000)).toBe(false);
    expect(clock.judge(S, 10_000, 10_001)).toBe('unsure');
    clock.observe(S, 10_000, 10_002);
    expect(clock.fresh(10_500)).toBe(true);
    expect(clock.fresh(11_002)).toBe(true);
    expect(clock.fresh(11_003)).toBe(false);
    expect(clock.judge(S + 10_000_000, 11_000, 11_002)).toBe('alive');
    // sent while the reading was fresh, answered after: the read may have run on a server the reading does not describe
    expect(clock.judge(S + 10_000_000, 11_000, 11_003)).toBe('unsure');
  });

  it('drops its reading when the wall clock says more time passed than the monotonic clock (a suspended machine)', () => {
    const clock = make({ maxAgeMs: 1000 });
    clock.observe(S, 10_000, 10_002);
    expect(clock.judge(S + 10_000_000, 10_100, 10_101)).toBe('alive');
    wall.t += 3_600_000; // an hour asleep: the monotonic clock did not move
    expect(clock.fresh(10_100)).toBe(false);
    expect(clock.judge(S + 10_000_000, 10_100, 10_101)).toBe('unsure');
    clock.observe(S + 3_600_000, 10_200, 10_201);
    expect(clock.judge(S + 3_700_000, 10_300, 10_301)).toBe('alive');
    wall.t -= 120_000; // the local wall clock stepped back: also unusable
    expect(clock.fresh(10_300)).toBe(false);
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
    wall.t += 50_000;
    // 50 s later, between local 60 000 and 60 001: the clock was in [S + 49 999, S + 50 001], widened by 50.001 ms with drift
    expect(exact.judge(S + 50_001, 60_000, 60_001)).toBe('alive');
    expect(drifting.judge(S + 50_001, 60_000, 60_001)).toBe('unsure');
    expect(drifting.judge(S + 50_051, 60_000, 60_001)).toBe('alive');
    expect(exact.judge(S + 49_998, 60_000, 60_001)).toBe('expired');
    expect(drifting.judge(S + 49_998, 60_000, 60_001)).toBe('unsure');
    expect(drifting.judge(S + 49_948, 60_000, 60_001)).toBe('unsure'); // S + 49 948.999 would not be past it
    expect(drifting.judge(S + 49_947, 60_000, 60_001)).toBe('expired');
  });

  it('works with a reading taken while the read was under way, keeps the newest reading, ignores loose ones', () => {
    const clock = make({ driftPpm: 0 });
    clock.observe(S, 10_100, 10_105);
    // read between 10 090 and 10 110: the clock was in [S - 15, S + 10]
    expect(clock.judge(S + 10, 10_090, 10_110)).toBe('alive');
    expect(clock.judge(S + 9, 10_090, 10_110)).toBe('unsure');
    expect(clock.judge(S - 16, 10_090, 10_110)).toBe('expired');
    clock.observe(S - 1_000_000, 9_000, 9_001); // older than the one kept: ignored
    expect(clock.judge(S - 16, 10_090, 10_110)).toBe('expired');
    clock.observe(S + 5000, 10_106, 10_106 + 300); // its call took longer than maxAgeMs: ignored
    expect(clock.judge(S - 16, 10_090, 10_110)).toBe('expired');
    clock.observe(S + 1000, 11_000, 11_001); // newer: replaces it
    expect(clock.judge(S + 990, 11_010, 11_011)).toBe('expired');
  });
});
