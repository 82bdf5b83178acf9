import { Command } from '@langchain/langgraph';
import { isLockLostError } from '@x/lock';
import { isRetryable } from '@x/redis-adapter';
import { errorClass } from '@x/tooling/faults';
import { buildGraph, type NodeEvents, type PipelineGraph } from './graph.js';
import type { Services } from './services.js';
import type { PlannedConversation } from './workload.js';

/** What a worker tells the orchestrator (over IPC, or by a call in memory mode). */
export type WorkerEvent =
  | { type: 'unit-start'; worker: string; conv: string; turn: number; resumedMidRun: boolean }
  | { type: 'unit-done'; worker: string; conv: string; kind: UnitKind; waitMs: number; completed: boolean }
  | { type: 'cache'; worker: string; hit: boolean }
  | { type: 'handoff'; worker: string }
  | { type: 'retry'; worker: string; error: string }
  | { type: 'done'; worker: string };

/** What one unit of work did. */
export type UnitKind = 'turn' | 'approval' | 'resume' | 'complete' | 'fenced-out' | 'already-done' | 'failed';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Serves conversations until none is pending: pick one, take its lock (waiting
 * without polling when another worker holds it), run its next step through the
 * graph from the last checkpoint, release. `concurrency` conversations at once.
 */
export async function runWorker(options: {
  name: string;
  services: Services;
  plans: ReadonlyMap<string, PlannedConversation>;
  concurrency: number;
  seed: number;
  report: (e: WorkerEvent) => void;
}): Promise<void> {
  const { name, services, plans, report } = options;
  const events: NodeEvents = {
    cacheHit: () => report({ type: 'cache', worker: name, hit: true }),
    cacheMiss: () => report({ type: 'cache', worker: name, hit: false }),
    handoff: () => report({ type: 'handoff', worker: name }),
  };
  const graph = buildGraph(services, plans, events);
  const inFlight = new Set<string>();
  let rand = options.seed >>> 0 || 1;
  const next = () => {
    rand ^= rand << 13;
    rand ^= rand >>> 17;
    rand ^= rand << 5;
    return (rand >>> 0) / 4294967296;
  };

  const loop = async () => {
    for (let failures = 0; ; ) {
      try {
        if (!(await step())) return;
        failures = 0;
      } catch (error) {
        // A Redis fault (a killed master, a lost connection), or the lock lost while Redis could
        // not renew it: every step is safe to run again (operation ids, keyed writes, fencing),
        // so retry it after a short backoff.
        if (!(isRetryable(error) || isLockLostError(error)) || ++failures > 100) throw error;
        report({ type: 'retry', worker: name, error: errorClass(error) });
        await sleep(Math.min(500, 10 * 2 ** failures));
      }
    }
  };
  /** One step of a loop: false when nothing is pending any more. */
  const step = async (): Promise<boolean> => {
    {
      const pending = await services.queue.pending();
      if (pending.length === 0) return false;
      const free = pending.filter((id) => !inFlight.has(id));
      if (free.length === 0) {
        await sleep(5); // every pending conversation is being served by this process already
        return true;
      }
      const id = free[Math.floor(next() * free.length)]!;
      const plan = plans.get(id);
      if (!plan) throw new Error(`conversation ${id} is not in the plan (was the queue left from another run?)`);
      inFlight.add(id);
      try {
        await runUnit(name, services, graph, plan, report);
      } finally {
        inFlight.delete(id);
      }
      return true;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, loop));
  report({ type: 'done', worker: name });
}

/** One unit: the next step of one conversation, under its lock. */
async function runUnit(
  worker: string,
  services: Services,
  graph: PipelineGraph,
  plan: PlannedConversation,
  report: (e: WorkerEvent) => void,
): Promise<void> {
  const lock = services.lockFor(plan.id);
  const started = performance.now();
  const held = await lock.acquire({ timeoutMs: 60_000 });
  const waitMs = performance.now() - started;
  let kind: UnitKind = 'already-done';
  let completed = false;
  try {
    if (!(await services.queue.recordToken(plan.id, held.fencingToken, worker))) {
      kind = 'fenced-out'; // a newer holder already worked on it: this one lost its lock
      return;
    }
    const config = { configurable: { thread_id: plan.threadId } };
    const before = await graph.getState(config);
    const turn = (before.values as { turn?: number }).turn ?? 0;
    const waitingForApproval = before.tasks.some((t) => t.interrupts.length > 0);
    const midRun = before.next.length > 0 && !waitingForApproval;
    if (turn >= plan.turns.length && before.next.length === 0) {
      // Finished, but its worker died before marking it: complete it now (once).
      if ((await services.queue.pending()).includes(plan.id)) {
        completed = await services.queue.complete(plan.id, held.fencingToken);
        kind = completed ? 'complete' : 'fenced-out';
      }
      return;
    }
    report({ type: 'unit-start', worker, conv: plan.id, turn, resumedMidRun: midRun });
    if (turn === 0 && before.next.length === 0) await services.registry.set(plan.id, plan.threadId);
    held.signal.throwIfAborted();
    let result: Record<string, unknown>;
    if (waitingForApproval) {
      kind = 'approval';
      result = await graph.invoke(new Command({ resume: { approvedBy: worker } }), config);
    } else if (midRun) {
      kind = 'resume'; // a worker died in the middle of this run: continue from its last checkpoint
      result = await graph.invoke(null, config);
    } else {
      kind = 'turn';
      result = await graph.invoke({ convId: plan.id, question: plan.turns[turn]!.question }, config);
    }
    // The run ends at an approval interrupt or with the turn closed; after the last turn, complete it.
    if (!('__interrupt__' in result) && Number(result.turn) >= plan.turns.length) {
      held.signal.throwIfAborted();
      // Fenced: refused when this holder lost its lock and a newer holder has worked on it since.
      completed = await services.queue.complete(plan.id, held.fencingToken);
      if (!completed) kind = 'fenced-out';
    }
  } catch (error) {
    kind = 'failed'; // retried by the loop when Redis was at fault
    throw error;
  } finally {
    await held.release().catch(() => false);
    report({ type: 'unit-done', worker, conv: plan.id, kind, waitMs, completed });
  }
}
