/**
 * Helpers for test files: the topologies the global setup started, a way to run the same
 * suite on each of them, connected clients, and private servers for destructive tests.
 */
import { afterAll, beforeAll, describe, inject } from 'vitest';
import {
  connectClient,
  connectCluster,
  connectSentinel,
  type AnyRedisClient,
  type RedisClient,
  type RedisCluster,
  type RedisSentinel,
} from '../redis/clients.js';
import { startCluster, type ClusterHandle, type ClusterOptions } from '../redis/cluster.js';
import { HarnessError } from '../redis/errors.js';
import { resolveRedis } from '../redis/resolve.js';
import { startSentinel, type SentinelHandle, type SentinelOptions } from '../redis/sentinel.js';
import { startStandalone, type StandaloneHandle, type StandaloneOptions } from '../redis/standalone.js';
import type { RedisKind, SentinelTopology, Topology, TopologyOf } from '../redis/topology.js';
import type { RedisTopologies } from './topologies.js';
import { RoundTripProxy } from '../proxy/round-trip-proxy.js';
import { CLIENT_KINDS, connectIoTopology, hostPort, type ClientKind } from '../redis/io-clients.js';
import { adminCommand } from '../redis/admin.js';

export { randomPrefix } from '../redis/clients.js';
export { describeFaults, type FaultSuite, type FaultWorkload } from './faults.js';
export { CLIENT_KINDS, connectIoTopology, hostPort, type ClientKind } from '../redis/io-clients.js';
export type { RedisTopologies } from './topologies.js';
export type { ClusterTopology, RedisKind, SentinelTopology, StandaloneTopology, Topology } from '../redis/topology.js';

/** The client type `connectTopology` returns for a topology. */
export type ClientFor<T extends Topology> = T extends { kind: 'standalone' }
  ? RedisClient
  : T extends { kind: 'cluster' }
    ? RedisCluster
    : RedisSentinel;

/** Coordinates provided by the harness globalSetup (see `defineRedisTestConfig`). */
export function getTopologies(): RedisTopologies {
  const topologies = inject('redisTopologies');
  if (!topologies) {
    throw new HarnessError(
      'NO_GLOBAL_SETUP',
      'No redis topologies were provided: use defineRedisTestConfig() from @x/tooling/vitest-config in vitest.config.ts',
    );
  }
  return topologies;
}

/**
 * Runs `body` once per topology inside `describe('[standalone]')`, `describe('[cluster]')`, ...
 * `sentinel` uses the shared one when the run has X_REDIS_SENTINEL=1, else this starts one for
 * the block; its coordinates are filled into `t` before the block's own `beforeAll` hooks run,
 * so read `t` inside hooks and tests, not while collecting.
 */
export function forEachTopology<K extends RedisKind>(kinds: readonly K[], body: (t: TopologyOf<K>) => void): void {
  for (const kind of kinds) {
    describe(`[${kind}]`, () => {
      if (kind === 'sentinel') {
        const shared = getTopologies().sentinel;
        const t = (shared ?? { kind: 'sentinel' }) as TopologyOf<K>;
        if (!shared) {
          let stop: (() => Promise<void>) | undefined;
          beforeAll(async () => {
            const resolved = await resolveRedis('sentinel');
            stop = resolved.stop;
            const { stop: _stop, ...coordinates } = resolved;
            Object.assign(t as SentinelTopology, coordinates);
          });
          afterAll(async () => stop?.());
        }
        body(t);
      } else {
        body(getTopologies()[kind as 'standalone' | 'cluster'] as TopologyOf<K>);
      }
    });
  }
}

/** A connected node-redis client for the topology. The caller closes it. */
export async function connectTopology<T extends Topology>(t: T): Promise<ClientFor<T>> {
  const topology: Topology = t;
  let client: AnyRedisClient;
  switch (topology.kind) {
    case 'standalone':
      client = await connectClient(topology.url);
      break;
    case 'cluster':
      client = await connectCluster(topology.rootNodes);
      break;
    case 'sentinel':
      client = await connectSentinel(topology.masterName, topology.sentinelRootNodes);
      break;
  }
  return client as ClientFor<T>;
}

/** Connects in `beforeAll`, closes in `afterAll`; call the returned getter inside hooks/tests. */
export function useTopologyClient<T extends Topology>(t: T): () => ClientFor<T> {
  let client: ClientFor<T> | undefined;
  beforeAll(async () => {
    client = await connectTopology(t);
  });
  afterAll(async () => {
    await (client as AnyRedisClient | undefined)?.close();
  });
  return () => {
    if (!client) throw new HarnessError('NOT_CONNECTED', 'The client is only available inside hooks and tests');
    return client;
  };
}

function useServer<H extends { stop(): Promise<void> }>(start: () => Promise<H>, what: string): () => H {
  let handle: H | undefined;
  beforeAll(async () => {
    handle = await start();
  });
  afterAll(async () => {
    await handle?.stop();
  });
  return () => {
    if (!handle) throw new HarnessError('NOT_STARTED', `The ${what} is only available inside hooks and tests`);
    return handle;
  };
}

/** A private standalone server for this file (for restart/kill tests). Needs the local binary. */
export function useStandalone(options?: StandaloneOptions): () => StandaloneHandle {
  return useServer(() => startStandalone(options), 'standalone server');
}

/** A private standalone server and a {@link RoundTripProxy} in front of it. */
export interface ProxiedStandalone {
  readonly server: StandaloneHandle;
  readonly proxy: RoundTripProxy;
  stop(): Promise<void>;
}

/**
 * A private standalone server for this file behind a {@link RoundTripProxy}
 * (to count round trips, or cut the network). Needs the local binary.
 */
export function useProxiedStandalone(options?: StandaloneOptions): () => ProxiedStandalone {
  return useServer(async () => {
    const server = await startStandalone(options);
    const proxy = await RoundTripProxy.start(server.host, server.port).catch(async (err: unknown) => {
      await server.stop();
      throw err;
    });
    return {
      server,
      proxy,
      stop: async () => {
        await proxy.close();
        await server.stop();
      },
    };
  }, 'proxied standalone server');
}

/** A private cluster for this file (for failover tests). Needs the local binary. */
export function useCluster(options?: ClusterOptions): () => ClusterHandle {
  return useServer(() => startCluster(options), 'cluster');
}

/** A private master + replica + sentinel for this file. Needs the local binary. */
export function useSentinel(options?: SentinelOptions): () => SentinelHandle {
  return useServer(() => startSentinel(options), 'sentinel setup');
}

/**
 * The client library this run hands to the packages under test: `X_REDIS_CLIENT`
 * (`node-redis`, the default, or `ioredis`). `pnpm test:ioredis` runs the
 * suites that read it once more with `X_REDIS_CLIENT=ioredis`.
 */
export function clientKind(): ClientKind {
  const v = process.env.X_REDIS_CLIENT;
  if (v === undefined || v === '') return 'node-redis';
  if (!(CLIENT_KINDS as readonly string[]).includes(v)) {
    throw new HarnessError('BAD_CLIENT', `X_REDIS_CLIENT must be one of ${CLIENT_KINDS.join(', ')}, got ${JSON.stringify(v)}`);
  }
  return v as ClientKind;
}

/** A connected client of either library, with a `close()` (ioredis' `quit()`). */
export type TargetClient = { close(): Promise<unknown>; sendCommand(...args: never[]): Promise<unknown> };

/**
 * A connected client of this run's library ({@link clientKind}, or `kind`) for a
 * topology, to pass to a package as its connection target. An ioredis client
 * gets a `close()` (its `quit()`), so a test closes either kind the same way.
 */
export async function connectTarget(t: Topology, kind: ClientKind = clientKind()): Promise<TargetClient> {
  if (kind === 'node-redis') return (await connectTopology(t)) as unknown as TargetClient;
  const client = await connectIoTopology(t);
  const closable = Object.assign(client, {
    close: async () => {
      if (client.status !== 'end') await client.quit().catch(() => client.disconnect());
    },
  });
  return closable as unknown as TargetClient;
}

/** Closes a client from {@link connectTarget}. */
export async function closeTargetClient(client: TargetClient | undefined): Promise<void> {
  await client?.close().catch(() => undefined);
}

/**
 * `describe` blocks per topology ({@link forEachTopology}) and per client library:
 * `[node-redis]` and `[ioredis]` inside each topology.
 */
export function forEachTopologyAndClient<K extends RedisKind>(
  kinds: readonly K[],
  body: (t: TopologyOf<K>, client: ClientKind) => void,
  clients: readonly ClientKind[] = CLIENT_KINDS,
): void {
  forEachTopology(kinds, (t) => {
    for (const client of clients) describe(`[${client}]`, () => body(t, client));
  });
}

/** `SCRIPT FLUSH` on every node of a standalone server or cluster, on admin connections of its own (any client library under test). */
export async function flushScriptsOn(t: Topology): Promise<void> {
  if (t.kind === 'sentinel') throw new HarnessError('UNSUPPORTED', 'flushScriptsOn takes a standalone or cluster topology');
  const urls = t.kind === 'standalone' ? [t.url] : t.rootNodes.map((n) => n.url);
  await Promise.all(urls.map((url) => adminCommand(hostPort(url), ['SCRIPT', 'FLUSH'])));
}
