import type { ClusterTopology, SentinelTopology, StandaloneTopology } from '../redis/topology.js';

/** What the global setup hands to every test file (plain data). */
export interface RedisTopologies {
  standalone: StandaloneTopology;
  cluster: ClusterTopology;
  /** Only when the run was started with X_REDIS_SENTINEL=1. */
  sentinel?: SentinelTopology;
}

declare module 'vitest' {
  export interface ProvidedContext {
    redisTopologies: RedisTopologies;
  }
}
