import { redisServerVersion, requireRedisServer } from './binary.js';
import { waitForHealthyCluster, formCluster, parseClusterNodes, type ClusterNodeView } from './cluster-state.js';
import { adminCommand } from './admin.js';
import { HarnessError } from './errors.js';
import { launchServer } from './launch.js';
import { waitForReplicasCaughtUp } from './replication.js';
import { baseServerArgs, HOST, type RedisServerProcess } from './server-process.js';
import { parseInfo } from './ping.js';
import { waitUntil } from './wait.js';

export interface ClusterOptions {
  /** Number of masters (default 3). */
  masters?: number;
  /** Replicas per master (default 0). */
  replicasPerMaster?: number;
  /** `cluster-node-timeout` (default 1500 ms): failure detection and failover take about 2-3x this. */
  nodeTimeoutMs?: number;
  /** Extra redis-server flags for every node. */
  extraArgs?: string[];
  /** How long forming the cluster may take (default 20 s). */
  readyTimeoutMs?: number;
}

export interface ClusterNode {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  readonly id: string;
  /** Last known role (updated by `refresh()`, `killMaster()` and `waitForClusterOk()`). */
  role: 'master' | 'replica';
  alive: boolean;
}

export interface KillMasterOptions {
  /**
   * Wait until a replica of the killed master took over and the cluster reports
   * `cluster_state:ok` again. Default: true when the cluster has replicas.
   */
  waitForFailover?: boolean;
  /**
   * Let the master's replicas catch up first, so writes acknowledged before the call survive
   * the failover (default true). `false` kills at once, as a real crash would.
   */
  waitForReplicaSync?: boolean;
  timeoutMs?: number;
}

export interface KillMasterResult {
  killed: ClusterNode;
  /** The replica that became master (only when waiting for failover). */
  promoted: ClusterNode | undefined;
}

export interface ClusterHandle {
  /** Root nodes for node-redis `createCluster({ rootNodes })` (nodes alive right now). */
  readonly rootNodes: Array<{ url: string }>;
  readonly nodes: readonly ClusterNode[];
  readonly version: string;
  readonly nodeTimeoutMs: number;
  /** Alive masters, ordered by their first slot (index 0 serves slot 0 initially). */
  masters(): ClusterNode[];
  /** Re-reads roles from the cluster. */
  refresh(): Promise<ClusterNode[]>;
  /** Waits until every alive node reports `cluster_state:ok` and they agree on the slot map. */
  waitForClusterOk(options?: { timeoutMs?: number }): Promise<void>;
  /** SIGKILLs the `index`-th alive master (see `masters()`). */
  killMaster(index?: number, options?: KillMasterOptions): Promise<KillMasterResult>;
  /**
   * Starts a killed node again on its port with its cluster config (its data is
   * gone: persistence is off). A master that was failed over rejoins as a
   * replica of its replacement; resolves once it is a replica with its link up.
   */
  restartNode(node: ClusterNode, options?: { timeoutMs?: number }): Promise<void>;
  /** Stops every node and removes the temp dirs. */
  stop(): Promise<void>;
}

function firstSlot(view: ClusterNodeView): number {
  return Math.min(...view.slots.map((range) => Number(range.split('-')[0])));
}

/** Starts a Redis Cluster from the local binary: `masters` masters, each with `replicasPerMaster` replicas. */
export async function startCluster(options: ClusterOptions = {}): Promise<ClusterHandle> {
  const masters = options.masters ?? 3;
  const replicasPerMaster = options.replicasPerMaster ?? 0;
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 1500;
  const readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
  if (!Number.isInteger(masters) || masters < 1) throw new HarnessError('BAD_OPTIONS', 'masters must be >= 1');
  if (!Number.isInteger(replicasPerMaster) || replicasPerMaster < 0) {
    throw new HarnessError('BAD_OPTIONS', 'replicasPerMaster must be >= 0');
  }
  const bin = requireRedisServer();
  const extra = options.extraArgs ?? [];
  const total = masters * (1 + replicasPerMaster);
  const settled = await Promise.allSettled(
    Array.from({ length: total }, () =>
      launchServer({
        bin,
        label: 'cluster-node',
        withClusterBus: true,
        args: (port, dir) => [
          ...baseServerArgs(port, dir),
          '--cluster-enabled', 'yes',
          '--cluster-config-file', `${dir}/nodes.conf`,
          '--cluster-node-timeout', String(nodeTimeoutMs),
          ...extra,
        ],
      }),
    ),
  );
  const servers = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const stopAll = () => Promise.all(servers.map((server) => server.dispose())).then(() => undefined);
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    await stopAll();
    throw failed.reason;
  }

  let ids: string[];
  try {
    ids = await formCluster(servers, { masters, replicasPerMaster, meetHost: HOST, timeoutMs: readyTimeoutMs });
  } catch (error) {
    await stopAll();
    throw error;
  }

  const processes = new Map<string, RedisServerProcess>();
  const nodes: ClusterNode[] = servers.map((server, i) => {
    processes.set(ids[i]!, server);
    return { host: HOST, port: server.port, url: server.url, id: ids[i]!, role: i < masters ? 'master' : 'replica', alive: true };
  });
  const aliveNodes = () => nodes.filter((node) => node.alive);
  let orderedMasterIds: string[] = nodes.filter((node) => node.role === 'master').map((node) => node.id);

  const applyView = (view: ClusterNodeView[]) => {
    for (const entry of view) {
      const node = nodes.find((candidate) => candidate.id === entry.id);
      if (node && !entry.unhealthy) node.role = entry.role;
    }
    orderedMasterIds = view
      .filter((entry) => entry.role === 'master' && !entry.unhealthy && entry.slots.length > 0)
      .sort((a, b) => firstSlot(a) - firstSlot(b))
      .map((entry) => entry.id);
  };

  const refresh = async () => {
    const source = aliveNodes()[0];
    if (!source) throw new HarnessError('CLUSTER_DOWN', 'No cluster node is alive');
    applyView(parseClusterNodes(await adminCommand(source, ['CLUSTER', 'NODES'])));
    return nodes;
  };

  const waitForClusterOk = async ({ timeoutMs = Math.max(15_000, nodeTimeoutMs * 10) } = {}) => {
    applyView(await waitForHealthyCluster(aliveNodes(), { timeoutMs }));
  };

  const aliveMasters = () =>
    orderedMasterIds.flatMap((id) => nodes.filter((node) => node.id === id && node.alive && node.role === 'master'));

  const handle: ClusterHandle = {
    get rootNodes() {
      return aliveNodes().map((node) => ({ url: node.url }));
    },
    nodes,
    version: redisServerVersion(bin),
    nodeTimeoutMs,
    masters: aliveMasters,
    refresh,
    waitForClusterOk,
    async killMaster(index = 0, killOptions = {}) {
      await refresh();
      const killed = aliveMasters()[index];
      if (!killed) throw new HarnessError('BAD_OPTIONS', `There is no alive master #${index}`);
      const source = aliveNodes()[0]!;
      const replicaIds = parseClusterNodes(await adminCommand(source, ['CLUSTER', 'NODES']))
        .filter((entry) => entry.masterId === killed.id && !entry.unhealthy)
        .map((entry) => entry.id);
      const timeoutMs = killOptions.timeoutMs ?? Math.max(20_000, nodeTimeoutMs * 12);
      if (killOptions.waitForReplicaSync ?? true) {
        const replicas = nodes.filter((node) => replicaIds.includes(node.id) && node.alive);
        await waitForReplicasCaughtUp(killed, replicas, timeoutMs);
      }
      await processes.get(killed.id)!.kill();
      killed.alive = false;
      const wait = killOptions.waitForFailover ?? replicasPerMaster > 0;
      if (!wait) return { killed, promoted: undefined };
      if (replicaIds.length === 0) {
        throw new HarnessError('NO_REPLICA', `Master ${killed.port} has no replica that could take over`);
      }
      const promoted = await waitUntil(
        async () => {
          const view = await waitForHealthyCluster(aliveNodes(), { timeoutMs });
          applyView(view);
          return nodes.find((node) => replicaIds.includes(node.id) && node.alive && node.role === 'master');
        },
        { timeoutMs, intervalMs: 50, what: `a replica of ${killed.port} to become master` },
      );
      return { killed, promoted };
    },
    async restartNode(node, restartOptions = {}) {
      await processes.get(node.id)!.start();
      node.alive = true;
      await waitUntil(
        async () => {
          const info = parseInfo(await adminCommand(node, ['INFO', 'replication']));
          return info.role === 'slave' && info.master_link_status === 'up';
        },
        { timeoutMs: restartOptions.timeoutMs ?? Math.max(20_000, nodeTimeoutMs * 12), intervalMs: 50, what: `${node.port} back as a replica` },
      );
      await refresh();
    },
    stop: async () => {
      await stopAll();
      for (const node of nodes) node.alive = false;
    },
  };
  return handle;
}
