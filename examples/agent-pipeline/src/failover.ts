// `pnpm demo --cluster`: the master kill part-way, and what the workers saw of it.
import type { ClusterHandle } from '@x/tooling/redis';

/** What the master kill did and how long the pipeline took to get going again. */
export interface FailoverReport {
  killedPort: number;
  promotedPort: number | undefined;
  /** Turns served when the master was killed. */
  atTurns: number;
  /** Kill -> a replica promoted and the cluster ok again (as the harness saw it). */
  failoverMs: number;
  /**
   * Kill -> the killed node restarted and back as a replica of its replacement
   * (until then its shard has no replica, so durable writes there cannot be confirmed).
   */
  rejoinedMs: number;
  /** Kill -> every worker still serving had finished a unit of work after the promotion. */
  recoveryMs: number | undefined;
  /** Calls the workers retried, by error class. */
  retries: Record<string, number>;
}

/**
 * Kills the master that serves slot 0 once `killAtTurns` turns are served,
 * waits for its replica to take over, and measures the recovery from the
 * workers' events.
 */
export class MasterKill {
  readonly retries: Record<string, number> = {};
  #kill: Promise<void> | undefined;
  #report: Omit<FailoverReport, 'recoveryMs' | 'retries'> | undefined;
  #killedAt = 0;
  #promotedAt: number | undefined;
  /** Each worker's first finished unit after the promotion. */
  readonly #backAt = new Map<string, number>();
  readonly #finished = new Set<string>();
  #error: unknown;

  constructor(
    private readonly cluster: ClusterHandle,
    private readonly killAtTurns: number,
    private readonly note: (message: string) => void,
  ) {}

  /** A worker retried a call that failed with a retryable error. */
  retried(errorClass: string): void {
    this.retries[errorClass] = (this.retries[errorClass] ?? 0) + 1;
  }

  /** Call on every event: kills the master once the turn count is reached. */
  turns(turnsDone: number): void {
    if (this.#kill || turnsDone < this.killAtTurns) return;
    this.#killedAt = Date.now();
    this.#kill = this.cluster.killMaster(0, { waitForFailover: true }).then(
      async ({ killed, promoted }) => {
        this.#promotedAt = Date.now();
        const failoverMs = this.#promotedAt - this.#killedAt;
        this.note(`killed Redis master :${killed.port} with SIGKILL after ${turnsDone} turns; replica :${promoted?.port ?? '?'} promoted after ${failoverMs} ms`);
        // As an operator would: bring the dead node back; it rejoins as the new master's replica.
        await this.cluster.restartNode(killed);
        const rejoinedMs = Date.now() - this.#killedAt;
        this.note(`restarted :${killed.port}: back as a replica ${rejoinedMs} ms after the kill`);
        this.#report = { killedPort: killed.port, promotedPort: promoted?.port, atTurns: turnsDone, failoverMs, rejoinedMs };
      },
      (error: unknown) => {
        this.#error = error;
      },
    );
  }

  /** A worker finished a unit of work (or all its work: `done`). */
  workerEvent(worker: string, kind: 'unit-done' | 'done'): void {
    if (kind === 'done') this.#finished.add(worker);
    else if (this.#promotedAt !== undefined && !this.#backAt.has(worker)) this.#backAt.set(worker, Date.now());
  }

  /** The report, once the run is over (undefined when the kill never came). */
  async settle(): Promise<FailoverReport | undefined> {
    await this.#kill;
    if (this.#error) throw this.#error;
    if (!this.#report) return undefined;
    const back = [...this.#backAt.values()];
    return { ...this.#report, recoveryMs: back.length ? Math.max(...back) - this.#killedAt : undefined, retries: this.retries };
  }
}
