import { adminCommand, adminQuery } from '@x/tooling/redis';
import type { ClusterTopology, StandaloneTopology } from '@x/tooling/vitest';
import type { RedisConnectOptions } from '@x/redis-adapter';

export type RedisTopology = StandaloneTopology | ClusterTopology;

/** Host/port of every node of a topology. */
export function nodesOf(t: RedisTopology): { host: string; port: number }[] {
  const urls = t.kind === 'standalone' ? [t.url] : t.rootNodes.map((n) => n.url);
  return urls.map((u) => {
    const url = new URL(u);
    return { host: url.hostname, port: Number(url.port) };
  });
}

/** Connection settings a RedisBackend owns (one connection per backend). */
export function connectOptions(t: RedisTopology): RedisConnectOptions {
  return t.kind === 'standalone' ? { url: t.url } : { rootNodes: t.rootNodes };
}

/** SCRIPT FLUSH on every node. */
export async function flushScripts(t: RedisTopology): Promise<void> {
  await Promise.all(nodesOf(t).map((n) => adminCommand(n, ['SCRIPT', 'FLUSH'])));
}

/** Which node (by "host:port") serves each hash slot, from CLUSTER SLOTS. */
export async function slotOwners(t: ClusterTopology): Promise<(slot: number) => string> {
  const reply = (await adminQuery(nodesOf(t)[0]!, ['CLUSTER', 'SLOTS'])) as [number, number, [string, number, string]][];
  const ranges = reply.map(([from, to, [host, port]]) => ({ from: Number(from), to: Number(to), node: `${host}:${port}` }));
  return (slot) => {
    const range = ranges.find((r) => slot >= r.from && slot <= r.to);
    if (range === undefined) throw new Error(`no node serves slot ${slot}`);
    return range.node;
  };
}
