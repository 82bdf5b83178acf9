// `pnpm demo`: a multi-process LangGraph.js agent pipeline on the @x primitives,
// with one worker killed part-way. See README.md.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { HarnessError } from '@x/tooling/redis';
import { resolveRedis, startCluster, type ClusterHandle } from '@x/tooling/redis';
import { parseArgs, UsageError, type DemoOptions } from './args.js';
import { MasterKill, type FailoverReport } from './failover.js';
import { checkInvariants } from './invariants.js';
import { Progress } from './progress.js';
import { memoryServices, redisServices, type RedisLocation, type Services } from './services.js';
import { percentile, RunStats } from './stats.js';
import { runWorker, type WorkerEvent } from './work-loop.js';
import type { WorkerConfig } from './worker.js';
import { planWorkload, type PlannedConversation } from './workload.js';

const MEMORY_MODE_LIMITS =
  'Memory mode runs everything in this one process: in-memory backends (@x/shared-backend), an in-process ' +
  '@x/lock and LangGraph\'s MemorySaver. It cannot show several processes sharing state, a worker crash and ' +
  'its recovery from the last checkpoint, or atomic session writes with TTLs in Redis (the session log is an ' +
  'in-process stand-in for @x/atomic-ops, which needs Redis).';

/** `--cluster`: writes of the shared backend wait for one replica. */
const CLUSTER_DURABILITY = { replicas: 1, timeoutMs: 1000 };

interface RunOutcome {
  crash?: { worker: string; atTurns: number; inFlight: number; pendingOfVictim: Set<string> };
  failover?: FailoverReport;
  workerErrors: string[];
}

/**
 * The worker to kill: the one with the most conversations in flight (the first
 * by name on a tie), or none while no worker has any. Killing a worker that
 * happens to be idle, or still starting, would show no recovery at all.
 */
function busiestWorker(stats: RunStats): string | undefined {
  let victim: string | undefined;
  let most = 0;
  for (const [worker, convs] of [...stats.inFlight].sort(([a], [b]) => a.localeCompare(b))) {
    if (convs.size > most) {
      victim = worker;
      most = convs.size;
    }
  }
  return victim;
}

async function runProcesses(
  opts: DemoOptions,
  redis: RedisLocation,
  prefix: string,
  stats: RunStats,
  progress: Progress,
  totalTurns: number,
  cluster: ClusterHandle | undefined,
): Promise<RunOutcome> {
  const outcome: RunOutcome = { workerErrors: [] };
  const workerFile = fileURLToPath(new URL('./worker.ts', import.meta.url));
  const children = new Map<string, ChildProcess>();
  const exits: Promise<void>[] = [];
  const crashAt = Math.ceil(totalTurns * 0.35);
  const masterKill = cluster ? new MasterKill(cluster, Math.ceil(totalTurns * 0.55), (m) => progress.note(m)) : undefined;
  const detail = () =>
    `${stats.completed.size}/${opts.conversations} conversations, ${stats.turnsDone}/${totalTurns} turns, ` +
    `cache hits ${stats.cacheHits}, workers ${children.size - (outcome.crash ? 1 : 0)}/${opts.workers}`;

  for (let i = 1; i <= opts.workers; i++) {
    const name = `w${i}`;
    const config: WorkerConfig = {
      name,
      redis,
      prefix,
      ...(cluster ? { durability: CLUSTER_DURABILITY } : {}),
      seed: opts.seed,
      conversations: opts.conversations,
      turns: opts.turns,
      concurrency: opts.concurrency,
      client: opts.client,
    };
    const child = fork(workerFile, [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, DEMO_WORKER_CONFIG: JSON.stringify(config) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.set(name, child);
    child.on('message', (raw) => {
      const e = raw as WorkerEvent | { type: 'error'; worker: string; message: string };
      if (e.type === 'error') {
        outcome.workerErrors.push(`${e.worker}: ${e.message}`);
        return;
      }
      if (e.type === 'retry') {
        masterKill?.retried(e.error);
        return;
      }
      stats.apply(e);
      if (e.type === 'unit-done' || e.type === 'done') masterKill?.workerEvent(e.worker, e.type);
      masterKill?.turns(stats.turnsDone);
      progress.update(stats.completed.size, detail());
      const victim = opts.crash && !outcome.crash && stats.turnsDone >= crashAt ? busiestWorker(stats) : undefined;
      if (victim !== undefined) {
        const inFlight = stats.inFlight.get(victim)?.size ?? 0;
        children.get(victim)?.kill('SIGKILL');
        const touched = stats.touched.get(victim) ?? new Set<string>();
        outcome.crash = {
          worker: victim,
          atTurns: stats.turnsDone,
          inFlight,
          pendingOfVictim: new Set([...touched].filter((c) => !stats.completed.has(c))),
        };
        progress.note(`killed worker ${victim} with SIGKILL after ${stats.turnsDone} turns (${inFlight} conversation(s) in flight)`);
      }
    });
    exits.push(
      new Promise((resolve) => {
        child.on('exit', (code, signal) => {
          if (code !== 0 && !(signal === 'SIGKILL' && outcome.crash?.worker === name)) {
            outcome.workerErrors.push(`${name} exited with ${signal ?? `code ${code}`}`);
          }
          resolve();
        });
      }),
    );
  }
  const stop = () => children.forEach((c) => c.kill('SIGKILL'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await Promise.all(exits);
  outcome.failover = await masterKill?.settle();
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  progress.update(stats.completed.size, detail(), true);
  return outcome;
}

async function runInProcess(opts: DemoOptions, services: Services, plans: PlannedConversation[], stats: RunStats, progress: Progress, totalTurns: number) {
  const map = new Map(plans.map((p) => [p.id, p]));
  const report = (e: WorkerEvent) => {
    stats.apply(e);
    progress.update(stats.completed.size, `${stats.completed.size}/${opts.conversations} conversations, ${stats.turnsDone}/${totalTurns} turns`);
  };
  await Promise.all(
    Array.from({ length: opts.workers }, (_, i) =>
      runWorker({ name: `w${i + 1}`, services, plans: map, concurrency: opts.concurrency, seed: opts.seed + i * 7919, report }),
    ),
  );
  progress.update(stats.completed.size, `${stats.completed.size}/${opts.conversations} conversations`, true);
}

const fmtMs = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));

/** The summary rows of `--cluster`: the master kill, the failover and the recovery. */
function failoverRows(f: FailoverReport | undefined, cluster: boolean, totalTurns: number): [string, string][] {
  if (!cluster) return [];
  if (!f) return [['master killed', 'none (the run ended before the kill point)']];
  const retries = Object.entries(f.retries).map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
  return [
    ['master killed', `:${f.killedPort} (SIGKILL after ${f.atTurns} of ${totalTurns} turns)`],
    ['failover', `replica :${f.promotedPort ?? '?'} promoted, cluster ok ${f.failoverMs} ms after the kill; :${f.killedPort} back as a replica after ${f.rejoinedMs} ms`],
    ['recovery', f.recoveryMs === undefined ? 'no worker served after the promotion' : `every serving worker finished a unit ${f.recoveryMs} ms after the kill`],
    ['calls retried', retries],
  ];
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const plans = planWorkload(opts.seed, opts.conversations, opts.turns);
  const totalTurns = plans.reduce((n, p) => n + p.turns.length, 0);

  let redis: { summary: string; location: RedisLocation; stop(): Promise<void> } | undefined;
  let cluster: ClusterHandle | undefined;
  if (opts.cluster) {
    // A local cluster of 3 masters with a replica each, from the local redis-server (the harness's).
    cluster = await startCluster({ masters: 3, replicasPerMaster: 1 });
    const ports = cluster.nodes.map((n) => n.port).join(',');
    redis = {
      summary: `cluster of 3 masters + 3 replicas, redis-server ${cluster.version} on 127.0.0.1:${ports} (local binary)`,
      location: { rootNodes: cluster.rootNodes },
      stop: () => cluster!.stop(),
    };
  } else if (!opts.memory) {
    try {
      const standalone = await resolveRedis('standalone');
      redis = { summary: standalone.summary, location: { url: standalone.url }, stop: () => standalone.stop() };
    } catch (err) {
      if (!(err instanceof HarnessError)) throw err;
      console.log(`No Redis available: ${err.message.split('\n')[0]}`);
    }
  }
  const mode = redis ? 'redis' : 'memory';
  console.log(redis ? `Redis: ${redis.summary} (client: ${opts.client})` : `Running in memory mode. ${MEMORY_MODE_LIMITS}`);
  const prefix = `demo:${randomBytes(4).toString('hex')}`;
  console.log(
    `Serving ${opts.conversations} conversations x ${opts.turns} turns with ${redis ? `${opts.workers} worker processes` : `${opts.workers} in-process workers`} ` +
      `(concurrency ${opts.concurrency}, seed ${opts.seed}${redis && opts.crash ? ', one worker killed part-way' : ''}` +
      `${cluster ? ', one Redis master killed part-way, shared-backend writes durable on 1 replica' : ''})`,
  );

  let services = redis
    ? await redisServices(redis.location, { prefix, library: opts.client, ...(cluster ? { durability: CLUSTER_DURABILITY } : {}) })
    : memoryServices();
  const stats = new RunStats();
  const progress = new Progress(opts.conversations);
  let exitCode = 0;
  try {
    await services.queue.init(plans.map((p) => p.id));
    let outcome: RunOutcome = { workerErrors: [] };
    if (redis) outcome = await runProcesses(opts, redis.location, prefix, stats, progress, totalTurns, cluster);
    else await runInProcess(opts, services, plans, stats, progress, totalTurns);
    progress.end();
    const servedMs = performance.now() - started;

    if (cluster && redis) {
      // A client that sat idle through the failover may still route the killed master's slots to it:
      // read everything back on a fresh connection, which learns the cluster as it is now.
      const fresh = await redisServices({ rootNodes: cluster.rootNodes }, { prefix, library: opts.client });
      await services.close();
      services = fresh;
    }
    const invariants = await checkInvariants(services, plans);
    const sessions = await Promise.all(plans.map((p) => services.sessions.getSession(p.id)));
    const messages = sessions.reduce((n, s) => n + (s?.messageCount ?? 0), 0);
    const handoffs = sessions.reduce((n, s) => n + (s?.handoffs ?? 0), 0);
    const completions = await services.queue.completions();
    const lookups = stats.cacheHits + stats.cacheMisses;
    const resumed = outcome.crash ? [...outcome.crash.pendingOfVictim].filter((c) => completions.get(c) === 1) : [];
    const resumedMidRun = resumed.filter((c) => stats.resumedMidRun.has(c));
    const elapsedMs = performance.now() - started;

    const rows: [string, string][] = [
      ['mode', redis ? `redis: ${redis.summary}` : 'memory (no Redis)'],
      ['conversations completed', `${[...completions.values()].filter((n) => n >= 1).length} / ${opts.conversations}`],
      ['messages', String(messages)],
      ['handoffs', String(handoffs)],
      ['approvals resumed', String(stats.approvalsDone)],
      ['units of work', [...stats.units].map(([k, n]) => `${n} ${k}`).join(', ')],
      ['cache hit rate', lookups ? `${((stats.cacheHits / lookups) * 100).toFixed(1)}% (${stats.cacheHits} hits of ${lookups} lookups)` : 'n/a'],
      [
        'lock waits',
        `p50 ${fmtMs(percentile(stats.lockWaitsMs, 50))} ms, p99 ${fmtMs(percentile(stats.lockWaitsMs, 99))} ms (${stats.lockWaitsMs.length} acquisitions)`,
      ],
      [
        'worker killed',
        outcome.crash
          ? `${outcome.crash.worker} (SIGKILL after ${outcome.crash.atTurns} of ${totalTurns} turns, ${outcome.crash.inFlight} in flight)`
          : mode === 'redis'
            ? 'none (--no-crash)'
            : 'none (memory mode)',
      ],
      [
        'resumed after the crash',
        outcome.crash ? `${resumed.length} conversations (${resumedMidRun.length} mid-run, from their last checkpoint)` : '-',
      ],
      ...failoverRows(outcome.failover, cluster !== undefined, totalTurns),
      ['total time', `${(elapsedMs / 1000).toFixed(1)} s (serving ${(servedMs / 1000).toFixed(1)} s, checks ${((elapsedMs - servedMs) / 1000).toFixed(1)} s)`],
    ];
    console.log('\nSummary');
    for (const [k, v] of rows) console.log(`  ${k.padEnd(25)} ${v}`);
    console.log(`\nInvariants (read back from ${redis ? 'Redis' : 'the in-memory state'})`);
    for (const r of invariants) {
      console.log(`  ${r.ok ? 'ok  ' : 'FAIL'} ${r.name}`);
      for (const v of r.violations) console.log(`         ${v}`);
    }
    for (const e of outcome.workerErrors) console.log(`  FAIL worker error: ${e}`);
    const broken = invariants.filter((r) => !r.ok);
    if (broken.length > 0 || outcome.workerErrors.length > 0) {
      exitCode = 1;
      console.log(`\nBroken: ${[...broken.map((r) => r.name), ...outcome.workerErrors.map((e) => `worker error (${e})`)].join('; ')}`);
    }
    if (opts.json) {
      console.log(
        JSON.stringify({
          mode,
          conversations: opts.conversations,
          completed: [...completions.values()].filter((n) => n === 1).length,
          messages,
          handoffs,
          cacheHits: stats.cacheHits,
          cacheLookups: lookups,
          crashed: outcome.crash?.worker ?? null,
          resumed: resumed.length,
          resumedMidRun: resumedMidRun.length,
          failover: outcome.failover ?? null,
          invariants: Object.fromEntries(invariants.map((r) => [r.name, r.ok])),
          workerErrors: outcome.workerErrors,
          ok: exitCode === 0,
        }),
      );
    }
  } finally {
    await services.close();
    await redis?.stop();
  }
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      if (err.help) {
        console.log(err.message);
        process.exit(0);
      }
      console.error(err.message.trim());
      process.exit(2);
    }
    console.error(err);
    process.exit(1);
  },
);
