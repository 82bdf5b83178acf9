/**
 * Vitest globalSetup: resolves one standalone server and one 3-master cluster per test run
 * (REDIS_URL / REDIS_CLUSTER_NODES, else the local redis-server, else testcontainers) and
 * provides their coordinates as `inject('redisTopologies')`. With X_REDIS_SENTINEL=1 it also
 * starts a shared sentinel setup; otherwise test files start their own with `useSentinel()`.
 */
import type { TestProject } from 'vitest/node';
import { resolveRedis } from '../redis/resolve.js';
import { toTopology, type ResolvedRedis } from '../redis/topology.js';
import type { RedisTopologies } from './topologies.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started: ResolvedRedis[] = [];
  const stopAll = async () => {
    await Promise.allSettled(started.splice(0).map((resolved) => resolved.stop()));
  };
  const track = <T extends ResolvedRedis>(resolved: T): T => {
    started.push(resolved);
    return resolved;
  };
  try {
    const [standalone, cluster, sentinel] = await Promise.all([
      resolveRedis('standalone').then(track),
      resolveRedis('cluster').then(track),
      process.env.X_REDIS_SENTINEL === '1' ? resolveRedis('sentinel').then(track) : undefined,
    ]);
    const topologies: RedisTopologies = {
      standalone: toTopology(standalone),
      cluster: toTopology(cluster),
      ...(sentinel && { sentinel: toTopology(sentinel) }),
    };
    for (const topology of Object.values(topologies)) console.log(`[redis harness] ${topology.summary}`);
    project.provide('redisTopologies', topologies);
  } catch (error) {
    await stopAll();
    throw error;
  }
  return stopAll;
}
