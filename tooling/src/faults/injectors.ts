/**
 * The faults, each injected on a harness server or cluster while a workload
 * runs. Each resolves when the fault is over and says what it did.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { adminCommand, type NodeAddress } from '../redis/admin.js';
import type { ClusterHandle } from '../redis/cluster.js';
import type { StandaloneHandle } from '../redis/standalone.js';
import { waitUntil } from '../redis/wait.js';

/** A private harness server or cluster (the faults are destructive: never the shared ones). */
export type FaultTarget = { kind: 'standalone'; server: StandaloneHandle } | { kind: 'cluster'; cluster: ClusterHandle };

/** What an injected fault did. */
export interface Injected {
  /** How many times it hit (kills that closed a connection, flushes, LOADING replies seen, masters replaced). */
  hits: number;
  /** Extra measurements for the summary line. */
  note: string;
}

/** The masters of a target (the nodes the workload writes to). */
export function mastersOf(target: FaultTarget): NodeAddress[] {
  return target.kind === 'standalone' ? [target.server] : target.cluster.masters();
}

/** Runs `command` on every master every `everyMs` for `forMs`; returns the sum of `count(reply)`. */
async function repeatOnMasters(target: FaultTarget, command: string[], forMs: number, everyMs: number, count: (reply: string) => number): Promise<number> {
  const end = Date.now() + forMs;
  let hits = 0;
  while (Date.now() < end) {
    const replies = await Promise.all(mastersOf(target).map((n) => adminCommand(n, command).catch(() => '')));
    hits += replies.reduce((n, r) => n + count(r), 0);
    await sleep(everyMs);
  }
  return hits;
}

/** `CLIENT KILL TYPE normal` on every master every `everyMs` for `forMs`: calls in flight lose their connection. */
export async function killConnectionsFor(target: FaultTarget, forMs = 1000, everyMs = 20): Promise<Injected> {
  const hits = await repeatOnMasters(target, ['CLIENT', 'KILL', 'TYPE', 'normal'], forMs, everyMs, (r) => Number(r) || 0);
  return { hits, note: `connections killed=${hits}` };
}

/** `SCRIPT FLUSH` on every master every `everyMs` for `forMs`: cached scripts vanish under load (NOSCRIPT). */
export async function flushScriptsFor(target: FaultTarget, forMs = 1000, everyMs = 25): Promise<Injected> {
  const hits = await repeatOnMasters(target, ['SCRIPT', 'FLUSH'], forMs, everyMs, (r) => (r === 'OK' ? 1 : 0));
  return { hits, note: `script flushes=${hits}` };
}

/**
 * Makes a standalone server reload its data slowly, as after a restart with a
 * big RDB: `DEBUG POPULATE` fills `keys` filler keys (once), `key-load-delay`
 * slows the load, `DEBUG RELOAD` saves and loads; the server answers `LOADING`
 * meanwhile. Resolves once it serves again.
 */
export async function reloadSlowly(server: NodeAddress, keys = 10_000, keyLoadDelayUs = 25): Promise<Injected> {
  await adminCommand(server, ['DEBUG', 'POPULATE', String(keys), 'fault-fill']);
  await adminCommand(server, ['CONFIG', 'SET', 'key-load-delay', String(keyLoadDelayUs)]);
  await adminCommand(server, ['CONFIG', 'SET', 'loading-process-events-interval-bytes', '1024']);
  const started = Date.now();
  const reload = adminCommand(server, ['DEBUG', 'RELOAD'], 60_000).catch(() => 'done');
  let seen = 0;
  try {
    await waitUntil(
      async () => {
        const reply = await adminCommand(server, ['PING']).catch((e: Error) => e.message);
        if (reply.startsWith('LOADING')) seen++;
        return seen > 0;
      },
      { timeoutMs: 10_000, intervalMs: 5, what: 'the server answering LOADING' },
    );
  } finally {
    await reload;
    await adminCommand(server, ['CONFIG', 'SET', 'key-load-delay', '0']);
  }
  return { hits: seen, note: `loading ${Date.now() - started} ms (${keys} keys)` };
}

/**
 * SIGKILLs the cluster master that serves slot 0 and waits for its replica to
 * take over. By default its replicas are first let catch up with the
 * replication offset of that moment (the writers keep writing meanwhile), so
 * the scenario measures the clients and the package, not a lagging replica;
 * `atOnce` kills without waiting, and acknowledged writes the replica had not
 * received yet are lost (Redis replication is asynchronous).
 */
export async function killMaster(cluster: ClusterHandle, atOnce = false): Promise<Injected> {
  const started = Date.now();
  const { killed, promoted } = await cluster.killMaster(0, { waitForFailover: true, waitForReplicaSync: !atOnce });
  return { hits: promoted ? 1 : 0, note: `master :${killed.port} killed, :${promoted?.port ?? '?'} promoted after ${Date.now() - started} ms` };
}

/**
 * Stalls the cluster master that serves slot 0 with `DEBUG SLEEP` long enough
 * for its replica to be promoted; when it wakes it serves the calls queued
 * meanwhile, then learns it was demoted. Resolves once the cluster is ok again.
 */
export async function stallMaster(cluster: ClusterHandle, seconds = 5): Promise<Injected> {
  await cluster.refresh();
  const stalled = cluster.masters()[0]!;
  const before = new Set(cluster.masters().map((n) => n.port));
  const started = Date.now();
  const sleeping = adminCommand(stalled, ['DEBUG', 'SLEEP', String(seconds)], (seconds + 15) * 1000).catch(() => 'gone');
  await waitUntil(async () => (await cluster.refresh()).some((n) => n.alive && n.role === 'master' && !before.has(n.port)), {
    timeoutMs: 15_000,
    what: 'the stalled master replaced',
  });
  const promotedAfter = Date.now() - started;
  await sleeping;
  await cluster.waitForClusterOk();
  return { hits: 1, note: `master :${stalled.port} stalled ${seconds} s, replica promoted after ${promotedAfter} ms` };
}

/**
 * Kills the normal client connections of a server (`CLIENT KILL TYPE normal`)
 * every `everyMs` until `stop()` is called; resolves with how many kills hit a
 * connection. (For a workload of one-shot calls; writer loops use {@link killConnectionsFor}.)
 */
export function killConnectionsRepeatedly(node: NodeAddress, everyMs = 5): { stop: () => Promise<number> } {
  let running = true;
  let killed = 0;
  const loop = (async () => {
    while (running) {
      killed += Number(await adminCommand(node, ['CLIENT', 'KILL', 'TYPE', 'normal']).catch(() => 0));
      await sleep(everyMs);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return killed;
    },
  };
}
