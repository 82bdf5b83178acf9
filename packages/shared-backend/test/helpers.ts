import { Cluster, Redis } from 'ioredis';
import { adminCommand, adminQuery } from '@x/tooling/redis';
import { clientKind, type ClusterTopology, type StandaloneTopology } from '@x/tooling/vitest';
import type { RedisConnectOptions, RedisTarget } from '@x/redis-adapter';

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

const ioClients: (Redis | Cluster)[] = [];

/**
 * The connection target a backend under test gets, by the run's client library
 * (`X_REDIS_CLIENT`): node-redis settings the backend opens and closes itself,
 * or a new ioredis `Redis` / `Redis.Cluster` of the test's own (made at once, so
 * a synchronous factory can use it), closed by {@link closeIoClients}.
 */
export function backendTarget(t: RedisTopology): RedisTarget {
  if (clientKind() === 'node-redis') return connectOptions(t);
  const client = t.kind === 'standalone' ? new Redis(t.url) : new Cluster(nodesOf(t));
  client.on('error', () => undefined); // failed reconnects; the calls themselves still reject
  ioClients.push(client);
  return client;
}

/** Closes every ioredis client {@link backendTarget} made (after the backends on them). */
export async function closeIoClients(): Promise<void> {
  for (const c of ioClients.splice(0)) if (c.status !== 'end') await c.quit().catch(() => c.disconnect());
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
