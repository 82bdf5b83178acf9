/** Forming a Redis Cluster out of running nodes and deciding when it is healthy. */
import { adminCommand, type NodeAddress } from './admin.js';
import { parseInfo } from './ping.js';
import { waitUntil } from './wait.js';

export const CLUSTER_SLOTS = 16384;

export interface ClusterNodeView {
  id: string;
  host: string;
  port: number;
  flags: string[];
  role: 'master' | 'replica';
  /** For a replica, the id of its master. */
  masterId: string | undefined;
  /** Slot ranges as listed, e.g. ["0-5460"]. */
  slots: string[];
  /** Flagged `fail` or `fail?` (or `noaddr`/`handshake`) by the node that reported the view. */
  unhealthy: boolean;
}

/** Parses the text of CLUSTER NODES. */
export function parseClusterNodes(text: string): ClusterNodeView[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [id = '', address = '', flagText = '', master = '-', , , , , ...slots] = line.split(' ');
      const hostPort = address.split('@')[0] ?? '';
      const colon = hostPort.lastIndexOf(':');
      const flags = flagText.split(',');
      return {
        id,
        host: hostPort.slice(0, colon),
        port: Number(hostPort.slice(colon + 1)),
        flags,
        role: flags.includes('slave') ? 'replica' : 'master',
        masterId: master === '-' ? undefined : master,
        slots: slots.filter((slot) => !slot.startsWith('[')),
        unhealthy: flags.some((flag) => flag.startsWith('fail') || flag === 'noaddr' || flag === 'handshake'),
      } satisfies ClusterNodeView;
    });
}

/** Even split of the 16384 slots over `masters` masters, as inclusive [start, end] ranges. */
export function slotRanges(masters: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (let i = 0; i < masters; i++) {
    const start = Math.floor((i * CLUSTER_SLOTS) / masters);
    const end = Math.floor(((i + 1) * CLUSTER_SLOTS) / masters) - 1;
    ranges.push([start, end]);
  }
  return ranges;
}

export interface FormClusterOptions {
  masters: number;
  replicasPerMaster: number;
  /** The address nodes use to reach each other (default: each node's own host). */
  meetHost?: string;
  timeoutMs: number;
}

/**
 * Turns freshly started, empty cluster-enabled nodes into one cluster: the first `masters`
 * nodes get the slots, the rest replicate them round-robin. Returns the node ids in order.
 */
export async function formCluster(nodes: NodeAddress[], options: FormClusterOptions): Promise<string[]> {
  const { masters, replicasPerMaster, timeoutMs } = options;
  if (nodes.length !== masters * (1 + replicasPerMaster)) throw new Error('node count does not match the layout');
  const ids = await Promise.all(nodes.map((node) => adminCommand(node, ['CLUSTER', 'MYID'])));
  // Distinct config epochs up front so nodes need no collision resolution round.
  await Promise.all(nodes.map((node, i) => adminCommand(node, ['CLUSTER', 'SET-CONFIG-EPOCH', String(i + 1)])));
  const ranges = slotRanges(masters);
  await Promise.all(
    ranges.map(([start, end], i) => adminCommand(nodes[i]!, ['CLUSTER', 'ADDSLOTSRANGE', String(start), String(end)])),
  );
  const first = nodes[0]!;
  for (const node of nodes.slice(1)) {
    await adminCommand(first, ['CLUSTER', 'MEET', options.meetHost ?? node.host, String(node.port)]);
  }
  await waitUntil(
    async () => {
      for (const node of nodes) {
        const view = parseClusterNodes(await adminCommand(node, ['CLUSTER', 'NODES']));
        if (view.filter((entry) => !entry.unhealthy).length !== nodes.length) return false;
      }
      return true;
    },
    { timeoutMs, intervalMs: 20, what: `all ${nodes.length} cluster nodes to know each other` },
  );
  await Promise.all(
    nodes.slice(masters).map((node, i) => adminCommand(node, ['CLUSTER', 'REPLICATE', ids[i % masters]!])),
  );
  await waitForHealthyCluster(nodes, { timeoutMs });
  return ids;
}

function signature(view: ClusterNodeView[]): string {
  return view
    .filter((entry) => !entry.unhealthy)
    .map((entry) => `${entry.id} ${entry.role} ${entry.masterId ?? '-'} ${entry.slots.join(',')}`)
    .sort()
    .join('\n');
}

/**
 * Resolves with the agreed view once every node in `alive` reports `cluster_state:ok` with all
 * slots served, every node sees exactly the `alive` nodes as healthy with the same slot map
 * and roles, and every replica's link to its master is up.
 */
export async function waitForHealthyCluster(
  alive: NodeAddress[],
  { timeoutMs, intervalMs = 50 }: { timeoutMs: number; intervalMs?: number },
): Promise<ClusterNodeView[]> {
  return waitUntil(
    async () => {
      let agreed: string | undefined;
      let view: ClusterNodeView[] = [];
      for (const node of alive) {
        const info = parseInfo(await adminCommand(node, ['CLUSTER', 'INFO']));
        if (info.cluster_state !== 'ok' || info.cluster_slots_ok !== String(CLUSTER_SLOTS)) return false;
        view = parseClusterNodes(await adminCommand(node, ['CLUSTER', 'NODES']));
        if (view.filter((entry) => !entry.unhealthy).length !== alive.length) return false;
        const mine = signature(view);
        if (agreed !== undefined && mine !== agreed) return false;
        agreed = mine;
        const me = view.find((entry) => entry.flags.includes('myself'));
        if (me?.role === 'replica') {
          const replication = parseInfo(await adminCommand(node, ['INFO', 'replication']));
          if (replication.master_link_status !== 'up') return false;
        }
      }
      return view;
    },
    { timeoutMs, intervalMs, what: `cluster_state:ok and one agreed slot map on ${alive.map((n) => n.port).join(', ')}` },
  );
}
