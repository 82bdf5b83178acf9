import { describe, expect, it } from 'vitest';
import {
  CLUSTER_FAILOVER_DEFAULTS,
  FAILOVER_RECONNECT_MAX_MS,
  SENTINEL_FAILOVER_DEFAULTS,
  failoverBackoffMs,
  withFailoverDefaults,
  withSentinelFailoverDefaults,
} from '../src/node-redis/failover-defaults.js';

type Strategy = (retries: number, cause?: Error) => number | false;
const strategyOf = (socket: unknown) => (socket as { reconnectStrategy: Strategy }).reconnectStrategy;

describe('failover defaults of created connections', () => {
  it('backoff: 50 ms doubling, capped at FAILOVER_RECONNECT_MAX_MS', () => {
    expect([0, 1, 2, 3, 10, 1000].map(failoverBackoffMs)).toEqual([50, 100, 200, 200, 200, 200]);
    expect(FAILOVER_RECONNECT_MAX_MS).toBe(200);
  });

  it('cluster: topology refresh and capped node reconnects, under the caller\'s own settings', () => {
    const made = withFailoverDefaults({ rootNodes: [], defaults: { username: 'u' } }) as Record<string, any>;
    expect(made.topologyRefreshOnReconnectionAttemptStrategy).toBe(CLUSTER_FAILOVER_DEFAULTS.topologyRefreshOnReconnectionAttemptStrategy);
    expect(made.defaults.username).toBe('u');
    expect(strategyOf(made.defaults.socket)(7)).toBe(200);
    const timeout = Object.assign(new Error('t'), { name: 'SocketTimeoutError' });
    expect(strategyOf(made.defaults.socket)(1, timeout)).toBe(false); // as node-redis' default
    const own = () => 1234;
    const kept = withFailoverDefaults({ rootNodes: [], topologyRefreshOnReconnectionAttemptStrategy: 5000, defaults: { socket: { reconnectStrategy: own } } }) as Record<string, any>;
    expect(kept.topologyRefreshOnReconnectionAttemptStrategy).toBe(5000);
    expect(kept.defaults.socket.reconnectStrategy).toBe(own);
  });

  it('sentinel: topology scan and capped master/replica reconnects, under the caller\'s own settings', () => {
    const made = withSentinelFailoverDefaults({ name: 'm', sentinelRootNodes: [] }) as Record<string, any>;
    expect(made.scanInterval).toBe(SENTINEL_FAILOVER_DEFAULTS.scanInterval);
    expect(strategyOf(made.nodeClientOptions.socket)(9)).toBe(200);
    const own = () => 1;
    const kept = withSentinelFailoverDefaults({ name: 'm', sentinelRootNodes: [], scanInterval: 0, nodeClientOptions: { socket: { reconnectStrategy: own } } }) as Record<string, any>;
    expect(kept.scanInterval).toBe(0);
    expect(kept.nodeClientOptions.socket.reconnectStrategy).toBe(own);
  });
});
