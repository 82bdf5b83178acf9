import { findRedisServer } from './binary.js';
import { startCluster, type ClusterOptions } from './cluster.js';
import { dockerAnswers, startClusterContainer, startStandaloneContainer } from './docker.js';
import { HarnessError, INSTALL_HINT } from './errors.js';
import { startSentinel, type SentinelOptions } from './sentinel.js';
import { startStandalone, type StandaloneOptions } from './standalone.js';
import type { RedisKind, RedisSource, ResolvedRedis } from './topology.js';

export interface ResolveOptions {
  /** Sources to try, in the fixed order env, local-binary, testcontainers (default: all). */
  sources?: RedisSource[];
  standalone?: StandaloneOptions;
  /** Only `masters` and `nodeTimeoutMs` apply to the Docker fallback. */
  cluster?: ClusterOptions;
  sentinel?: SentinelOptions;
}

const noop = async () => {};

function fromEnv<K extends RedisKind>(kind: K): ResolvedRedis<K> | undefined {
  const env = process.env;
  if (kind === 'standalone' && env.REDIS_URL) {
    const url = env.REDIS_URL;
    return { kind, source: 'env', url, summary: `standalone redis at ${url} (REDIS_URL)`, stop: noop } as ResolvedRedis<K>;
  }
  if (kind === 'cluster' && env.REDIS_CLUSTER_NODES) {
    const rootNodes = env.REDIS_CLUSTER_NODES.split(',')
      .map((entry) => entry.trim())
      .filter(Boolean)
      .map((entry) => ({ url: entry.includes('://') ? entry : `redis://${entry}` }));
    const summary = `cluster at ${rootNodes.map((node) => node.url).join(', ')} (REDIS_CLUSTER_NODES)`;
    return { kind, source: 'env', rootNodes, summary, stop: noop } as ResolvedRedis<K>;
  }
  if (kind === 'sentinel' && env.REDIS_SENTINEL_NODES) {
    const sentinelRootNodes = env.REDIS_SENTINEL_NODES.split(',')
      .map((entry) => entry.trim().replace(/^redis:\/\//, ''))
      .filter(Boolean)
      .map((entry) => {
        const colon = entry.lastIndexOf(':');
        return { host: entry.slice(0, colon), port: Number(entry.slice(colon + 1)) };
      });
    const masterName = env.REDIS_SENTINEL_MASTER ?? 'mymaster';
    const summary = `sentinel ${masterName} via ${env.REDIS_SENTINEL_NODES} (REDIS_SENTINEL_NODES)`;
    return { kind, source: 'env', sentinelRootNodes, masterName, summary, stop: noop } as ResolvedRedis<K>;
  }
  return undefined;
}

async function fromLocalBinary<K extends RedisKind>(kind: K, options: ResolveOptions): Promise<ResolvedRedis<K>> {
  const source = 'local-binary' as const;
  if (kind === 'standalone') {
    const server = await startStandalone(options.standalone);
    const summary = `standalone redis-server ${server.version} on ${server.host}:${server.port} (local binary)`;
    return { kind, source, url: server.url, summary, stop: server.stop } as ResolvedRedis<K>;
  }
  if (kind === 'cluster') {
    const cluster = await startCluster(options.cluster);
    const masters = cluster.masters().map((node) => node.port).join(',');
    const summary = `cluster of ${cluster.masters().length} masters (${cluster.nodes.length} nodes) redis-server ${cluster.version} on 127.0.0.1:${masters} (local binary)`;
    return { kind, source, rootNodes: cluster.rootNodes, summary, stop: cluster.stop } as ResolvedRedis<K>;
  }
  const sentinel = await startSentinel(options.sentinel);
  const [master, replica] = sentinel.dataNodes;
  const summary =
    `sentinel redis-server ${sentinel.version}: master 127.0.0.1:${master?.port}, replica :${replica?.port}, ` +
    `sentinel :${sentinel.sentinelRootNodes[0]?.port} as "${sentinel.masterName}" (local binary)`;
  return {
    kind,
    source,
    sentinelRootNodes: sentinel.sentinelRootNodes,
    masterName: sentinel.masterName,
    summary,
    stop: sentinel.stop,
  } as ResolvedRedis<K>;
}

async function fromDocker<K extends RedisKind>(kind: K, options: ResolveOptions): Promise<ResolvedRedis<K>> {
  const source = 'testcontainers' as const;
  if (kind === 'standalone') {
    const { container, host, ports } = await startStandaloneContainer();
    const url = `redis://${host}:${ports[0]}`;
    const stop = async () => void (await container.stop());
    return { kind, source, url, summary: `standalone redis at ${url} (testcontainers)`, stop } as ResolvedRedis<K>;
  }
  if (kind === 'cluster') {
    const masters = options.cluster?.masters ?? 3;
    const { container, host, ports } = await startClusterContainer(masters, options.cluster?.nodeTimeoutMs ?? 1500);
    const rootNodes = ports.map((port) => ({ url: `redis://${host}:${port}` }));
    const stop = async () => void (await container.stop());
    const summary = `cluster of ${masters} masters on ${host}:${ports.join(',')} (testcontainers)`;
    return { kind, source, rootNodes, summary, stop } as ResolvedRedis<K>;
  }
  throw new HarnessError(
    'SENTINEL_NEEDS_BINARY',
    `A sentinel topology needs a local redis-server binary (or REDIS_SENTINEL_NODES). ${INSTALL_HINT}`,
  );
}

/**
 * Finds a Redis of the given kind, in this order:
 * 1. the environment: `REDIS_URL` (standalone), `REDIS_CLUSTER_NODES=host:port,...` (cluster),
 *    `REDIS_SENTINEL_NODES=host:port,...` + `REDIS_SENTINEL_MASTER` (sentinel);
 * 2. the local `redis-server` binary (`REDIS_SERVER_BIN` or PATH), on free 127.0.0.1 ports;
 * 3. testcontainers, when a Docker engine answers (checked in well under a second when absent);
 * 4. otherwise a {@link HarnessError} saying what to install.
 */
export async function resolveRedis<K extends RedisKind>(kind: K, options: ResolveOptions = {}): Promise<ResolvedRedis<K>> {
  const allowed = (source: RedisSource) => options.sources === undefined || options.sources.includes(source);
  const env = allowed('env') ? fromEnv(kind) : undefined;
  if (env) return env;
  if (allowed('local-binary') && findRedisServer()) return fromLocalBinary(kind, options);
  if (allowed('testcontainers') && (await dockerAnswers())) return fromDocker(kind, options);
  throw new HarnessError(
    'NO_REDIS',
    `No Redis for the ${kind} tests: no ${kind === 'standalone' ? 'REDIS_URL' : kind === 'cluster' ? 'REDIS_CLUSTER_NODES' : 'REDIS_SENTINEL_NODES'} set, ` +
      `no redis-server binary on PATH, and no Docker engine answering. ${INSTALL_HINT}`,
  );
}
