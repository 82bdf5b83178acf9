// Failover defaults of the connections the adapter creates (node-redis and ioredis; a 3+3
// cluster and a sentinel-managed master): writers under load, a master SIGKILLed, and the time
// from the promotion (as the harness sees it) until every writer got a write through. Writers
// retry retryable errors (SET of their own key: idempotent); any other error is counted.
// Issue 16 asks for recovery within 1 s of the promotion and zero caller-visible
// non-retryable errors; the time is reported, and asserted within twice that.
import { afterAll, describe, expect, it } from 'vitest';
import { useCluster, useSentinel } from '@x/tooling/vitest';
import { adminCommand, parseClusterNodes, waitUntil, type NodeAddress } from '@x/tooling/redis';
import { createRedisAdapter, hashSlot, isRetryable, type ClientLibrary, type RedisAdapter, type RedisTarget } from '../src/index.js';

const WRITERS = 16;
/** Bound on promotion -> every writer through: twice the 1000 ms target, a margin for loaded machines. */
const RECOVERY_BOUND_MS = 2_000;

function startWriters(adapter: RedisAdapter, keyOf: (w: number) => string) {
  let running = true;
  const lastOk = Array.from({ length: WRITERS }, () => 0);
  /** Every writer's success times (ms), to find its first success after the promotion. */
  const okTimes: number[][] = Array.from({ length: WRITERS }, () => []);
  const permanent: unknown[] = [];
  let retryable = 0;
  let ok = 0;
  const done = Promise.all(
    lastOk.map(async (_, w) => {
      const key = keyOf(w);
      for (let i = 0; running; i++) {
        try {
          await adapter.command({ command: ['SET', key, String(i)], keys: [key] });
          ok++;
          lastOk[w] = Date.now();
          okTimes[w]!.push(lastOk[w]!);
        } catch (error) {
          if (isRetryable(error)) retryable++;
          else permanent.push(error);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
    }),
  );
  return {
    allAfter: (since: number) => lastOk.every((t) => t > since),
    /** Per writer, its first success after `since`. */
    firstAfter: (since: number) => okTimes.map((times) => times.find((t) => t > since) ?? Infinity),
    get ok() {
      return ok;
    },
    stop: async () => {
      running = false;
      await done;
      return { permanent, retryable };
    },
  };
}

/**
 * Resolves with the time the first of `replicas` reports the master role (polled every 10 ms):
 * the promotion itself, earlier than the harness's own view (which waits for a healthy cluster).
 */
function promotionOf(replicas: NodeAddress[]): { at: Promise<number>; stop: () => void } {
  let polling = true;
  const at = (async () => {
    while (polling) {
      for (const node of replicas) {
        const info = await adminCommand(node, ['INFO', 'replication'], 500).catch(() => '');
        if (/role:master/.test(info)) return Date.now();
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return NaN;
  })();
  return { at, stop: () => void (polling = false) };
}

async function measure(
  label: string,
  target: RedisTarget,
  client: ClientLibrary,
  keyOf: (w: number) => string,
  replicas: () => Promise<NodeAddress[]>,
  kill: () => Promise<unknown>,
  adapters: RedisAdapter[],
) {
  const adapter = createRedisAdapter(target, { client });
  adapters.push(adapter);
  await adapter.ready();
  const writers = startWriters(adapter, keyOf);
  await waitUntil(async () => writers.allAfter(0) && writers.ok > 200, { timeoutMs: 20_000, what: 'writers warmed up' });
  const promotion = promotionOf(await replicas());
  const killedAt = Date.now();
  await kill();
  const promotedAt = await promotion.at;
  promotion.stop();
  await waitUntil(async () => writers.allAfter(promotedAt), { timeoutMs: 30_000, intervalMs: 5, what: `every ${label} writer through after the promotion` });
  const throughAt = Math.min(...writers.firstAfter(promotedAt));
  const recoveryMs = Math.max(...writers.firstAfter(promotedAt)) - promotedAt;
  const { permanent, retryable } = await writers.stop();
  console.log(
    `[failover] ${label}: kill -> promotion ${promotedAt - killedAt} ms; promotion -> first writer through ${throughAt - promotedAt} ms, ` +
      `every writer through ${recoveryMs} ms (target 1000 ms); retryable errors seen ${retryable}, non-retryable ${permanent.length}`,
  );
  return { recoveryMs, permanent };
}

/** Keys of writer w: spread over the cluster's slots (w * 1024 + ...), so every master has writers. */
function spreadKey(w: number): string {
  const lo = (w * 16384) / WRITERS;
  for (let i = 0; ; i++) {
    const key = `failover:${w}:${i}`;
    const slot = hashSlot(key);
    if (slot >= lo && slot < lo + 16384 / WRITERS) return key;
  }
}

describe('failover defaults: a 3+3 cluster master killed under load', () => {
  const cluster = useCluster({ masters: 3, replicasPerMaster: 1 });
  const adapters: RedisAdapter[] = [];
  afterAll(async () => {
    for (const a of adapters) await a.close().catch(() => undefined);
  });

  // Each run kills a master that still has a replica: the first serves slot 0; after its
  // failover, index 0 is the promoted node (no replica left), so the second run kills index 1.
  it.each([
    ['node-redis', 0],
    ['ioredis', 1],
  ] as const)('%s: writers resume after the promotion, no non-retryable error', { timeout: 120_000 }, async (client, index) => {
    const replicas = async () => {
      await cluster().refresh();
      const master = cluster().masters()[index]!;
      const ids = parseClusterNodes(await adminCommand(master, ['CLUSTER', 'NODES'])).filter((n) => n.masterId === master.id).map((n) => n.id);
      return cluster().nodes.filter((n) => ids.includes(n.id));
    };
    const kill = () => cluster().killMaster(index, { waitForFailover: true });
    const { recoveryMs, permanent } = await measure(`cluster/${client}`, { rootNodes: cluster().rootNodes }, client, spreadKey, replicas, kill, adapters);
    expect(permanent).toEqual([]);
    expect(recoveryMs).toBeLessThan(RECOVERY_BOUND_MS);
  });
});

describe.each(['node-redis', 'ioredis'] as const)('failover defaults: a sentinel-managed master killed under load (%s)', (client) => {
  const sentinel = useSentinel();
  const adapters: RedisAdapter[] = [];
  afterAll(async () => {
    for (const a of adapters) await a.close().catch(() => undefined);
  });

  it('writers resume after the promotion, no non-retryable error', { timeout: 120_000 }, async () => {
    const s = sentinel();
    const target = { sentinelRootNodes: s.sentinelRootNodes.map((n) => ({ host: n.host, port: n.port })), name: s.masterName } as RedisTarget;
    const replicas = async () => {
      const master = await s.getMaster();
      return s.dataNodes.filter((n) => n.port !== master.port);
    };
    const { recoveryMs, permanent } = await measure(`sentinel/${client}`, target, client, (w) => `failover:${w}`, replicas, () => s.killMaster(), adapters);
    expect(permanent).toEqual([]);
    expect(recoveryMs).toBeLessThan(RECOVERY_BOUND_MS);
  });
});
