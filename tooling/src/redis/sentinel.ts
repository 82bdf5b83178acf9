import { adminCommand, adminQuery, type NodeAddress } from './admin.js';
import { redisServerVersion, requireRedisServer } from './binary.js';
import { HarnessError } from './errors.js';
import { launchServer } from './launch.js';
import { parseInfo } from './ping.js';
import { waitForReplicasCaughtUp } from './replication.js';
import { baseServerArgs, HOST, type RedisServerProcess } from './server-process.js';
import { waitUntil } from './wait.js';

export interface SentinelOptions {
  /** Name the sentinel monitors the master under (default "x-master"). */
  masterName?: string;
  /** `down-after-milliseconds` (default 1000). */
  downAfterMs?: number;
  /** `failover-timeout` (default 5000). */
  failoverTimeoutMs?: number;
  /** How long startup and failovers may take (default 20 s). */
  timeoutMs?: number;
}

export interface SentinelHandle {
  /** For node-redis `createSentinel({ name: masterName, sentinelRootNodes })`. */
  readonly sentinelRootNodes: NodeAddress[];
  readonly masterName: string;
  readonly version: string;
  /** Data nodes (master and replica, in start order). */
  readonly dataNodes: readonly NodeAddress[];
  /** Current master as the sentinel reports it. */
  getMaster(): Promise<NodeAddress>;
  /**
   * `SENTINEL FAILOVER`: promotes the replica; resolves with the new master once it serves
   * writes and the old master replicates from it. Writes acknowledged before the call survive.
   */
  failover(): Promise<NodeAddress>;
  /**
   * SIGKILLs the current master and waits until the sentinel promoted the replica. By default it
   * first lets the replica catch up, so writes acknowledged before the call survive;
   * `{ waitForReplicaSync: false }` kills at once, as a real crash would.
   */
  killMaster(options?: { waitForReplicaSync?: boolean }): Promise<NodeAddress>;
  /** Stops every process and removes the temp dirs. */
  stop(): Promise<void>;
}

function sentinelConfig(port: number, dir: string, name: string, master: NodeAddress, options: Required<Omit<SentinelOptions, 'masterName' | 'timeoutMs'>>): string {
  return [
    `port ${port}`,
    `bind ${HOST}`,
    'daemonize no',
    `dir ${dir}`,
    `logfile ${dir}/redis.log`,
    `sentinel monitor ${name} ${master.host} ${master.port} 1`,
    `sentinel down-after-milliseconds ${name} ${options.downAfterMs}`,
    `sentinel failover-timeout ${name} ${options.failoverTimeoutMs}`,
    `sentinel parallel-syncs ${name} 1`,
    '',
  ].join('\n');
}

/** Starts one master, one replica and one sentinel (quorum 1) from the local binary. */
export async function startSentinel(options: SentinelOptions = {}): Promise<SentinelHandle> {
  const masterName = options.masterName ?? 'x-master';
  const downAfterMs = options.downAfterMs ?? 1000;
  const failoverTimeoutMs = options.failoverTimeoutMs ?? 5000;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const bin = requireRedisServer();
  const started: RedisServerProcess[] = [];
  const stop = () => Promise.all(started.map((server) => server.dispose())).then(() => undefined);
  try {
    const master = await launchServer({ bin, label: 'sentinel-master', args: baseServerArgs });
    started.push(master);
    const replica = await launchServer({
      bin,
      label: 'sentinel-replica',
      args: (port, dir) => [...baseServerArgs(port, dir), '--replicaof', master.host, String(master.port)],
    });
    started.push(replica);
    await waitUntil(
      async () => parseInfo(await adminCommand(replica, ['INFO', 'replication'])).master_link_status === 'up',
      { timeoutMs, what: 'the replica to sync with the master' },
    );
    const sentinel = await launchServer({
      bin,
      label: 'sentinel',
      files: (port, dir) => ({
        'sentinel.conf': sentinelConfig(port, dir, masterName, master, { downAfterMs, failoverTimeoutMs }),
      }),
      args: (_port, dir) => [`${dir}/sentinel.conf`, '--sentinel'],
    });
    started.push(sentinel);
    const dataNodes: NodeAddress[] = [master, replica].map((server) => ({ host: server.host, port: server.port }));
    const sentinelNode: NodeAddress = { host: sentinel.host, port: sentinel.port };

    const getMaster = async (): Promise<NodeAddress> => {
      const reply = (await adminQuery(sentinelNode, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName])) as string[] | null;
      if (!reply) throw new HarnessError('SENTINEL_UNKNOWN_MASTER', `Sentinel does not know ${masterName}`);
      return { host: String(reply[0]), port: Number(reply[1]) };
    };
    /** The sentinel knows a reachable replica, so a failover can pick it. */
    const replicaReady = async () => {
      const replicas = (await adminQuery(sentinelNode, ['SENTINEL', 'REPLICAS', masterName])) as string[][];
      return replicas.some((fields) => {
        const flags = (fields[fields.indexOf('flags') + 1] ?? '').split(',');
        return flags.includes('slave') && !flags.some((flag) => /down|disconnected/.test(flag));
      });
    };
    const replicationInfo = async (node: NodeAddress) => parseInfo(await adminCommand(node, ['INFO', 'replication']));
    const isMaster = async (node: NodeAddress) => (await replicationInfo(node)).role === 'master';
    const processFor = (node: NodeAddress) => started.find((server) => server.port === node.port);
    const replicasOf = (master: NodeAddress) =>
      dataNodes.filter((node) => node.port !== master.port && processFor(node)?.running);
    const waitForNewMaster = (old: NodeAddress) =>
      waitUntil(
        async () => {
          const current = await getMaster();
          return current.port !== old.port && (await isMaster(current)) ? current : undefined;
        },
        { timeoutMs, what: `sentinel to promote a new master instead of ${old.port}` },
      );

    /**
     * Sentinel turns a demoted master into a replica only after it reported the wrong role for
     * 8 s or more; do it right away (the same REPLICAOF sentinel would send) so a test can fail
     * over again without waiting.
     */
    const demote = async (old: NodeAddress, next: NodeAddress) => {
      if (!processFor(old)?.running) return;
      if (await isMaster(old)) await adminCommand(old, ['REPLICAOF', next.host, String(next.port)]);
      await waitUntil(async () => (await replicationInfo(old)).master_link_status === 'up', {
        timeoutMs,
        what: `the old master ${old.port} to sync from ${next.port}`,
      });
    };

    await waitUntil(replicaReady, { timeoutMs, what: 'the sentinel to discover the replica' });

    return {
      sentinelRootNodes: [sentinelNode],
      masterName,
      version: redisServerVersion(bin),
      dataNodes,
      getMaster,
      async failover() {
        const old = await getMaster();
        await waitUntil(replicaReady, { timeoutMs, what: 'a healthy replica before failover' });
        await waitForReplicasCaughtUp(old, replicasOf(old), timeoutMs);
        await adminCommand(sentinelNode, ['SENTINEL', 'FAILOVER', masterName]);
        const next = await waitForNewMaster(old);
        await demote(old, next);
        return next;
      },
      async killMaster({ waitForReplicaSync = true } = {}) {
        const old = await getMaster();
        await waitUntil(replicaReady, { timeoutMs, what: 'a healthy replica before killing the master' });
        if (waitForReplicaSync) await waitForReplicasCaughtUp(old, replicasOf(old), timeoutMs);
        const server = processFor(old);
        if (!server) throw new HarnessError('SENTINEL_UNKNOWN_MASTER', `Master ${old.port} is not a harness process`);
        await server.kill();
        return waitForNewMaster(old);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
