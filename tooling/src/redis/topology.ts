import type { NodeAddress } from './admin.js';

export type RedisKind = 'standalone' | 'cluster' | 'sentinel';
export type RedisSource = 'env' | 'local-binary' | 'testcontainers';

interface TopologyBase {
  source: RedisSource;
  /** One human line for logs, e.g. "standalone redis-server 7.0.15 on 127.0.0.1:40123 (local binary)". */
  summary: string;
}

/** Plain-data coordinates of a running Redis (serializable, handed to test workers). */
export interface StandaloneTopology extends TopologyBase {
  kind: 'standalone';
  url: string;
}

export interface ClusterTopology extends TopologyBase {
  kind: 'cluster';
  /** For node-redis `createCluster({ rootNodes })`. */
  rootNodes: Array<{ url: string }>;
}

export interface SentinelTopology extends TopologyBase {
  kind: 'sentinel';
  /** For node-redis `createSentinel({ name: masterName, sentinelRootNodes })`. */
  sentinelRootNodes: NodeAddress[];
  masterName: string;
}

export type Topology = StandaloneTopology | ClusterTopology | SentinelTopology;
export type TopologyOf<K extends RedisKind> = Extract<Topology, { kind: K }>;

/** What `resolveRedis` returns: the coordinates plus a way to stop what it started. */
export type ResolvedRedis<K extends RedisKind = RedisKind> = TopologyOf<K> & {
  /** Stops servers/containers the harness started; a no-op for `source: 'env'`. */
  stop(): Promise<void>;
};

/** The serializable part of a resolved Redis. */
export function toTopology<K extends RedisKind>(resolved: ResolvedRedis<K>): TopologyOf<K> {
  const { stop: _stop, ...topology } = resolved;
  return topology as unknown as TopologyOf<K>;
}
