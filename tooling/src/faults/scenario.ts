/**
 * One fault scenario: writers call a package in a loop (retrying what is
 * retryable, with the same operation), a fault is injected part-way, and
 * afterwards the package's own reads count what acknowledged writes were lost
 * or duplicated. The counts go into one summary line.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { waitUntil } from '../redis/wait.js';
import { flushScriptsFor, killConnectionsFor, killMaster, reloadSlowly, stallMaster, type FaultTarget, type Injected } from './injectors.js';
import { FaultTally, type FaultKind } from './tally.js';

/** One call of the workload; a retry of a failed call gets the same `writer`, `seq` and `id`. */
export interface OpContext {
  writer: number;
  seq: number;
  /** `w<writer>-<seq>`: use it as the value written and as the operation id. */
  id: string;
  /** 0 on the first try. */
  attempt: number;
  /**
   * Runs one step of a call that has several (e.g. acquire, then release),
   * retrying it alone while it fails retryably; failures are counted like the call's.
   */
  step<T>(fn: () => Promise<T>): Promise<T>;
}

/** An acknowledged call and what it returned. */
export interface Acked<R> {
  writer: number;
  seq: number;
  id: string;
  value: R;
}

export interface FaultScenario<R> {
  /** The package, e.g. `@x/lock`. */
  package: string;
  /** The workload and how it retries (it names the summary line). */
  workload: string;
  target: FaultTarget;
  fault: FaultKind;
  /** The package's `isRetryable` (from `@x/redis-adapter`). */
  isRetryable(error: unknown): boolean;
  /** One call; resolves when acknowledged. */
  op(ctx: OpContext): Promise<R>;
  /** Reads back what is stored and counts lost and duplicated acknowledged writes. */
  audit(acked: Acked<R>[]): Promise<{ lost: number; duplicated: number }>;
  /** Concurrent writers (default 8). */
  writers?: number;
  /** How long a storm (connection kills, script flushes) lasts (default 1000 ms). */
  stormMs?: number;
  /** Seconds a stalled master sleeps (default 5). */
  stallSeconds?: number;
}

export interface FaultScenarioResult<R> {
  tally: FaultTally;
  acked: Acked<R>[];
  /** What the fault did: it must have hit for the scenario to mean anything. */
  injected: Injected;
  /** Writers that stopped on a permanent error. */
  stoppedWriters: number;
}

function inject(target: FaultTarget, fault: FaultKind, stormMs: number, stallSeconds: number): Promise<Injected> {
  switch (fault) {
    case 'connection-kill':
      return killConnectionsFor(target, stormMs);
    case 'script-flush':
      return flushScriptsFor(target, stormMs);
    case 'loading':
      if (target.kind !== 'standalone') throw new Error('the loading fault takes a standalone server');
      return reloadSlowly(target.server);
    case 'master-kill':
    case 'master-stall':
      if (target.kind !== 'cluster') throw new Error(`${fault} takes a cluster with replicas`);
      return fault === 'master-kill' ? killMaster(target.cluster) : stallMaster(target.cluster, stallSeconds);
  }
}

/** Writer loops: each calls `op` in turn, retrying a call while it fails retryably. */
function startWriters<R>(s: FaultScenario<R>, tally: FaultTally) {
  const count = s.writers ?? 8;
  let running = true;
  let faultFrom = Number.POSITIVE_INFINITY;
  const acked: Acked<R>[] = [];
  const lastOk = Array.from({ length: count }, () => 0);
  const stopped = Array.from({ length: count }, () => false);
  const succeeded = (w: number) => {
    const now = Date.now();
    if (now >= faultFrom) tally.recovered(now - Math.max(lastOk[w]!, faultFrom));
    lastOk[w] = now;
  };
  /** Runs `fn` until it succeeds, counting failures; throws a permanent error, or the last one once stopped. */
  const retrying = async <T>(w: number, fn: (attempt: number) => Promise<T>): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const value = await fn(attempt);
        succeeded(w);
        return value;
      } catch (error) {
        if (!tally.failed(error) || !running) throw error;
        await sleep(Math.min(50, 2 ** attempt)); // a short backoff, as a caller's retry policy would
      }
    }
  };
  const done = Promise.all(
    lastOk.map(async (_, w) => {
      for (let seq = 0; running; seq++) {
        const id = `w${w}-${seq}`;
        tally.counts.operations++;
        try {
          const value = await retrying(w, (attempt) => s.op({ writer: w, seq, id, attempt, step: (fn) => retrying(w, () => fn()) }));
          acked.push({ writer: w, seq, id, value });
        } catch (error) {
          if (running) stopped[w] = true; // a permanent error: this writer is done (counted in the tally)
          return;
        }
      }
    }),
  );
  return {
    /** Every writer still running has had a success after `since`. */
    allAfter: (since: number) => lastOk.every((t, w) => stopped[w] || t > since),
    faultStarts: () => {
      faultFrom = Date.now();
    },
    acked,
    stop: async () => {
      running = false;
      await done;
      return stopped.filter(Boolean).length;
    },
  };
}

/**
 * Runs a scenario: writers warm up, the fault is injected, every writer must
 * get through again afterwards (liveness, bounded generously), then the
 * audit counts lost and duplicated writes; prints and records the summary line.
 */
export async function runFaultScenario<R>(s: FaultScenario<R>): Promise<FaultScenarioResult<R>> {
  const topology = s.target.kind === 'standalone' ? 'standalone' : `cluster ${s.target.cluster.nodes.length === 6 ? '3+3' : `${s.target.cluster.masters().length} masters`}`;
  const tally = new FaultTally({ package: s.package, topology, fault: s.fault, workload: s.workload }, s.isRetryable);
  const writers = startWriters(s, tally);
  let injected: Injected;
  let stoppedWriters: number;
  try {
    await waitUntil(() => writers.acked.length >= 8 * (s.writers ?? 8) || undefined, { timeoutMs: 20_000, what: 'the writers warmed up' });
    writers.faultStarts();
    injected = await inject(s.target, s.fault, s.stormMs ?? 1000, s.stallSeconds ?? 5);
    const over = Date.now();
    await waitUntil(() => writers.allAfter(over), { timeoutMs: 30_000, what: 'every writer through after the fault' });
  } finally {
    stoppedWriters = await writers.stop();
  }
  const { lost, duplicated } = await s.audit(writers.acked);
  tally.counts.lost = lost;
  tally.counts.duplicated = duplicated;
  tally.note = injected.note;
  tally.report();
  return { tally, acked: writers.acked, injected, stoppedWriters };
}

/** Counts lost and duplicated ids: `expected` were acknowledged, `stored` is what a read returned. */
export function countLostAndDuplicated(expected: Iterable<string>, stored: Iterable<string>): { lost: number; duplicated: number } {
  const seen = new Map<string, number>();
  for (const v of stored) seen.set(v, (seen.get(v) ?? 0) + 1);
  let lost = 0;
  for (const v of expected) if (!seen.has(v)) lost++;
  const duplicated = [...seen.values()].reduce((n, c) => n + c - 1, 0);
  return { lost, duplicated };
}
