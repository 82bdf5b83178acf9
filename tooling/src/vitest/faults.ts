/**
 * A package's fault suite in a few lines: for each topology, a private server
 * (standalone) or cluster (3+3 when a master is killed or stalled, else 3
 * masters), one test per fault running the package's workload through
 * `runFaultScenario`, and the assertions every package shares.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFaultScenario, type Acked, type FaultKind, type FaultTarget, type OpContext } from '../faults/index.js';
import { startCluster } from '../redis/cluster.js';
import { startStandalone } from '../redis/standalone.js';
import type { ClusterTopology, StandaloneTopology } from '../redis/topology.js';

/** The package side of a scenario, opened on a fresh prefix for each fault. */
export interface FaultWorkload<R> {
  /** What it does and how it retries, e.g. `appendMessage with operationId`. */
  workload: string;
  op(ctx: OpContext): Promise<R>;
  audit(acked: Acked<R>[]): Promise<{ lost: number; duplicated: number }>;
  /** Closes what `open` opened. */
  close(): Promise<void>;
}

export interface FaultSuite<R> {
  /** The package name, e.g. `@x/lock`. */
  package: string;
  /** Faults on a private standalone server, in order. */
  standalone: readonly FaultKind[];
  /** Faults on a private cluster, in order (a stall before a kill: the kill takes the stalled master's replacement). */
  cluster: readonly FaultKind[];
  isRetryable(error: unknown): boolean;
  /** Opens the package on the topology (a client of the run's library). */
  open(topology: StandaloneTopology | ClusterTopology): Promise<FaultWorkload<R>>;
  /** The workload's writes carry operation ids (or are idempotent): duplicates must be zero. */
  noDuplicates: boolean;
  /**
   * Faults after which acknowledged writes may be lost by Redis' asynchronous
   * replication (the package has no durability option): the loss is measured
   * and printed, not asserted zero.
   */
  lossMeasuredOnly?: readonly FaultKind[];
  /** Concurrent writers (default 8). */
  writers?: number;
}

const LOCAL = { source: 'local-binary' as const, summary: 'private fault-suite server' };

function topologyOf(target: FaultTarget): StandaloneTopology | ClusterTopology {
  return target.kind === 'standalone'
    ? { kind: 'standalone', url: target.server.url, ...LOCAL }
    : { kind: 'cluster', rootNodes: target.cluster.rootNodes, ...LOCAL };
}

/** Registers `describe('faults [standalone]')` and `describe('faults [cluster]')` with one test per fault. */
export function describeFaults<R>(suite: FaultSuite<R>): void {
  for (const kind of ['standalone', 'cluster'] as const) {
    const faults = suite[kind];
    if (faults.length === 0) continue;
    describe(`faults [${kind}]`, () => {
      let target: FaultTarget | undefined;
      beforeAll(async () => {
        const replicas = faults.some((f) => f === 'master-kill' || f === 'master-stall') ? 1 : 0;
        target =
          kind === 'standalone'
            ? { kind, server: await startStandalone() }
            : { kind, cluster: await startCluster({ masters: 3, replicasPerMaster: replicas }) };
      });
      afterAll(async () => {
        await (target?.kind === 'standalone' ? target.server : target?.cluster)?.stop();
      });
      for (const fault of faults) {
        const lossAsserted = !suite.lossMeasuredOnly?.includes(fault);
        const promise = [lossAsserted && 'lost', suite.noDuplicates && 'duplicated'].filter(Boolean).join(' or ');
        const title = `${fault}: callers see only retryable errors, every writer gets through again${promise ? `, nothing acknowledged is ${promise}` : ''}${lossAsserted ? '' : ' (loss measured)'}`;
        it(title, { timeout: 90_000 }, async () => {
          const workload = await suite.open(topologyOf(target!));
          try {
            const result = await runFaultScenario({
              package: suite.package,
              workload: workload.workload,
              target: target!,
              fault,
              isRetryable: suite.isRetryable,
              op: (ctx) => workload.op(ctx),
              audit: (acked) => workload.audit(acked),
              writers: suite.writers,
            });
            expect(result.injected.hits, 'the fault hit').toBeGreaterThan(0);
            const permanent = Object.entries(result.tally.counts.errors).filter(([k]) => k.startsWith('permanent:'));
            expect(permanent, 'caller-visible errors that are not retryable').toEqual([]);
            expect(result.stoppedWriters).toBe(0);
            if (lossAsserted) expect(result.tally.counts.lost, 'lost acknowledged writes').toBe(0);
            if (suite.noDuplicates) expect(result.tally.counts.duplicated, 'duplicated writes').toBe(0);
          } finally {
            await workload.close();
          }
        });
      }
    });
  }
}
