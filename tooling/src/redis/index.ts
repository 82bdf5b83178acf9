export type { NodeAddress } from './admin.js';
export { adminCommand, adminQuery } from './admin.js';
export { findRedisServer, redisServerVersion, requireRedisServer } from './binary.js';
export {
  connectClient,
  connectCluster,
  connectSentinel,
  randomPrefix,
  type AnyRedisClient,
  type RedisClient,
  type RedisCluster,
  type RedisSentinel,
} from './clients.js';
export {
  startCluster,
  type ClusterHandle,
  type ClusterNode,
  type ClusterOptions,
  type KillMasterOptions,
  type KillMasterResult,
} from './cluster.js';
export { CLUSTER_SLOTS, parseClusterNodes, slotRanges, type ClusterNodeView } from './cluster-state.js';
export { dockerAnswers } from './docker.js';
export { HarnessError, INSTALL_HINT } from './errors.js';
export { getFreePort, isPortFree } from './ports.js';
export { parseInfo } from './ping.js';
export { HARNESS_DIR, reapOrphans } from './registry.js';
export { resolveRedis, type ResolveOptions } from './resolve.js';
export { startSentinel, type SentinelHandle, type SentinelOptions } from './sentinel.js';
export { startStandalone, type StandaloneHandle, type StandaloneOptions } from './standalone.js';
export {
  toTopology,
  type ClusterTopology,
  type RedisKind,
  type RedisSource,
  type ResolvedRedis,
  type SentinelTopology,
  type StandaloneTopology,
  type Topology,
  type TopologyOf,
} from './topology.js';
export { waitUntil, type WaitOptions } from './wait.js';
export {
  CLIENT_KINDS,
  connectIoClient,
  connectIoCluster,
  connectIoSentinel,
  connectIoTopology,
  hostPort,
  type ClientKind,
} from './io-clients.js';
export { replicaOf, whileLoading } from './server-states.js';
