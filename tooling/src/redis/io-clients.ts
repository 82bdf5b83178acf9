import { Redis, Cluster } from 'ioredis';
import type { NodeAddress } from './admin.js';
import type { Topology } from './topology.js';

/** The client libraries the harness can hand out (the `X_REDIS_CLIENT` dimension). */
export type ClientKind = 'node-redis' | 'ioredis';

export const CLIENT_KINDS: readonly ClientKind[] = ['node-redis', 'ioredis'];

/** Host and port of a `redis://host:port` URL. */
export function hostPort(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) };
}

function ignoreErrors<T extends { on(event: 'error', fn: () => void): unknown }>(client: T): T {
  // ioredis emits 'error' for every failed reconnect; commands still reject, so tests see real failures.
  client.on('error', () => {});
  return client;
}

/** A connected ioredis `Redis` for `url`. The caller closes it (`quit()` or `disconnect()`). */
export async function connectIoClient(url: string): Promise<Redis> {
  const client = ignoreErrors(new Redis(url, { lazyConnect: true }));
  await client.connect();
  return client;
}

/** A connected ioredis `Redis.Cluster` through these seeds. */
export async function connectIoCluster(rootNodes: Array<{ url: string }>): Promise<Cluster> {
  const cluster = ignoreErrors(new Cluster(rootNodes.map((n) => hostPort(n.url)), { lazyConnect: true }));
  await cluster.connect();
  return cluster;
}

/** A connected sentinel-configured ioredis `Redis` for the master named `name`. */
export async function connectIoSentinel(name: string, sentinelRootNodes: NodeAddress[]): Promise<Redis> {
  const client = ignoreErrors(new Redis({ sentinels: sentinelRootNodes, name, lazyConnect: true }));
  await client.connect();
  return client;
}

/** A connected ioredis client (standalone, cluster or sentinel-configured) for a topology. */
export function connectIoTopology(t: Topology): Promise<Redis | Cluster> {
  switch (t.kind) {
    case 'standalone':
      return connectIoClient(t.url);
    case 'cluster':
      return connectIoCluster(t.rootNodes);
    case 'sentinel':
      return connectIoSentinel(t.masterName, t.sentinelRootNodes);
  }
}
