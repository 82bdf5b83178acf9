/**
 * Defaults for the cluster connections the adapter creates itself (from
 * `{ rootNodes }` or a URL that points at a cluster node). A client you pass
 * in keeps its own settings.
 *
 * node-redis refreshes the cluster topology 5 s after a node's connection first
 * fails to reconnect; until then, calls for the failed master's slots queue on
 * its dead connection. Redis promotes a replica within about the
 * `cluster-node-timeout` (plus an election), so waiting 5 s more keeps writers
 * on that shard stalled long after the new master took over. Refreshing 300 ms
 * after the first failed reconnect lets them follow the promotion.
 */
export const CLUSTER_FAILOVER_DEFAULTS = Object.freeze({
  /** Milliseconds after a node's first failed reconnect before the topology is refreshed (node-redis default: 5000). */
  topologyRefreshOnReconnectionAttemptStrategy: 300,
});

/** The caller's cluster options over {@link CLUSTER_FAILOVER_DEFAULTS}. */
export function withFailoverDefaults<T extends object>(options: T): T {
  return { ...CLUSTER_FAILOVER_DEFAULTS, ...options };
}
