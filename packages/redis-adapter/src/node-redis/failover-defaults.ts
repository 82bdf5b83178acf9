/**
 * Defaults for the cluster and sentinel connections the adapter creates itself
 * (from `{ rootNodes }`, `{ sentinelRootNodes, name }` or a URL that points at
 * a cluster node), chosen so that writers follow a promoted replica quickly. A
 * client you pass in keeps its own settings; the README ("Failover") lists the
 * same settings for clients you create yourself.
 *
 * Redis promotes a replica within about the `cluster-node-timeout` (sentinel:
 * `down-after-milliseconds`) plus an election. Until then a client reconnects
 * to the dead master with a backoff that grows to 2 s (node-redis and ioredis
 * defaults), so when the promotion lands its next look at the topology can be
 * 2 s away. Capping the backoff of these connections at
 * {@link FAILOVER_RECONNECT_MAX_MS} bounds that wait.
 */

/** Largest backoff (ms) between reconnects of a cluster node or sentinel master connection (library defaults: 2000). */
export const FAILOVER_RECONNECT_MAX_MS = 200;

/** Reconnect backoff after `retries` failed tries: 50 ms doubling, at most {@link FAILOVER_RECONNECT_MAX_MS}. */
export function failoverBackoffMs(retries: number): number {
  return Math.min(50 * 2 ** Math.min(retries, 6), FAILOVER_RECONNECT_MAX_MS);
}

/**
 * node-redis cluster options. node-redis refreshes the cluster topology only on
 * a node's reconnect attempt, once `topologyRefreshOnReconnectionAttemptStrategy`
 * ms (default 5000) have passed since the first one; until then, calls for the
 * failed master's slots queue on its dead connection. 300 ms after the first
 * failed reconnect, and reconnect attempts at most 200 ms apart, let writers
 * follow the promotion within about half a second of it.
 */
export const CLUSTER_FAILOVER_DEFAULTS = Object.freeze({
  /** Milliseconds after a node's first failed reconnect before the topology is refreshed (node-redis default: 5000). */
  topologyRefreshOnReconnectionAttemptStrategy: 300,
});

/**
 * node-redis sentinel options, for a `createSentinel` client: the adapter uses
 * them only when sentinel settings name options beyond `sentinelRootNodes`,
 * `name`, `nodeClientOptions` and `sentinelClientOptions` (otherwise it follows
 * the master itself, see the README "Sentinel connections the adapter
 * creates"), and the README lists them for sentinel clients you create. node-redis
 * follows a failover on the sentinels' announcements; `scanInterval` re-reads
 * the topology periodically in case one was missed; node-redis 6 leaves it off.
 */
export const SENTINEL_FAILOVER_DEFAULTS = Object.freeze({
  /** Milliseconds between topology scans (node-redis: off). */
  scanInterval: 5_000,
});

/** node-redis socket options with the capped reconnect backoff, unless the caller chose a strategy. */
function withReconnectCap(socket: unknown): Record<string, unknown> {
  const given = (socket ?? {}) as Record<string, unknown>;
  if ('reconnectStrategy' in given) return given;
  // As node-redis' default: no reconnect after a socket timeout (`socketTimeout`) the caller set.
  return { ...given, reconnectStrategy: (retries: number, cause?: Error) => (cause?.name === 'SocketTimeoutError' ? false : failoverBackoffMs(retries)) };
}

/** The caller's cluster options over {@link CLUSTER_FAILOVER_DEFAULTS}, node reconnects capped. */
export function withFailoverDefaults<T extends object>(options: T): T {
  const defaults = ((options as { defaults?: Record<string, unknown> }).defaults ?? {}) as Record<string, unknown>;
  return { ...CLUSTER_FAILOVER_DEFAULTS, ...options, defaults: { ...defaults, socket: withReconnectCap(defaults.socket) } };
}

/** The caller's sentinel options over {@link SENTINEL_FAILOVER_DEFAULTS}, master and replica reconnects capped. */
export function withSentinelFailoverDefaults<T extends object>(options: T): T {
  const node = ((options as { nodeClientOptions?: Record<string, unknown> }).nodeClientOptions ?? {}) as Record<string, unknown>;
  return { ...SENTINEL_FAILOVER_DEFAULTS, ...options, nodeClientOptions: { ...node, socket: withReconnectCap(node.socket) } };
}
