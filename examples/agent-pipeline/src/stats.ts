import type { WorkerEvent } from './work-loop.js';

/** Percentile of a sample (nearest rank); 0 for an empty sample. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** What the orchestrator learns from the workers' events while the run goes on. */
export class RunStats {
  turnsDone = 0;
  approvalsDone = 0;
  resumedMidRun = new Set<string>();
  completed = new Set<string>();
  cacheHits = 0;
  cacheMisses = 0;
  handoffs = 0;
  fencedOut = 0;
  lockWaitsMs: number[] = [];
  /** Units of work by what they did. */
  units = new Map<string, number>();
  /** Conversations each worker has started a unit on. */
  touched = new Map<string, Set<string>>();
  /** Units in flight per worker. */
  inFlight = new Map<string, Set<string>>();

  apply(e: WorkerEvent): void {
    switch (e.type) {
      case 'unit-start': {
        const t = this.touched.get(e.worker) ?? new Set();
        t.add(e.conv);
        this.touched.set(e.worker, t);
        const f = this.inFlight.get(e.worker) ?? new Set();
        f.add(e.conv);
        this.inFlight.set(e.worker, f);
        if (e.resumedMidRun) this.resumedMidRun.add(e.conv);
        break;
      }
      case 'unit-done':
        this.inFlight.get(e.worker)?.delete(e.conv);
        this.lockWaitsMs.push(e.waitMs);
        this.units.set(e.kind, (this.units.get(e.kind) ?? 0) + 1);
        if (e.kind === 'turn' || e.kind === 'resume') this.turnsDone++;
        if (e.kind === 'approval') this.approvalsDone++;
        if (e.kind === 'fenced-out') this.fencedOut++;
        if (e.completed) this.completed.add(e.conv);
        break;
      case 'cache':
        if (e.hit) this.cacheHits++;
        else this.cacheMisses++;
        break;
      case 'handoff':
        this.handoffs++;
        break;
      case 'done':
        break;
    }
  }
}
