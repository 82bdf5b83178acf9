import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminCommand,
  CLUSTER_SLOTS,
  connectCluster,
  parseClusterNodes,
  randomPrefix,
  startCluster,
  type ClusterHandle,
} from '@x/tooling/redis';

describe('startCluster (3 masters)', () => {
  let cluster: ClusterHandle;

  beforeAll(async () => {
    cluster = await startCluster({ masters: 3 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('has three masters that agree on a map covering every slot', async () => {
    expect(cluster.nodes).toHaveLength(3);
    expect(cluster.masters()).toHaveLength(3);
    expect(cluster.rootNodes).toEqual(cluster.nodes.map((node) => ({ url: `redis://127.0.0.1:${node.port}` })));
    const views = await Promise.all(cluster.nodes.map((node) => adminCommand(node, ['CLUSTER', 'NODES'])));
    for (const text of views) {
      const view = parseClusterNodes(text);
      expect(view.map((entry) => entry.role)).toEqual(['master', 'master', 'master']);
      const covered = new Set<number>();
      for (const range of view.flatMap((entry) => entry.slots)) {
        const [start, end = start] = range.split('-').map(Number) as [number, number?];
        for (let slot = start; slot <= end; slot++) covered.add(slot);
      }
      expect(covered.size).toBe(CLUSTER_SLOTS);
    }
    for (const node of cluster.nodes) {
      expect(await adminCommand(node, ['CLUSTER', 'INFO'])).toContain('cluster_state:ok');
    }
  });

  it('serves keys in every master through a node-redis cluster client', async () => {
    const client = await connectCluster(cluster.rootNodes);
    try {
      const prefix = randomPrefix('cluster');
      // Enough distinct hash tags to land on all three masters.
      const keys = Array.from({ length: 30 }, (_, i) => `${prefix}{tag${i}}`);
      for (const key of keys) await client.set(key, key);
      for (const key of keys) expect(await client.get(key)).toBe(key);
      const owners = new Set<string>();
      for (const key of keys) owners.add(String(client.getSlotMaster(await slotOf(key)).port));
      expect(owners.size).toBe(3);
    } finally {
      await client.close();
    }
  });

  async function slotOf(key: string): Promise<number> {
    return Number(await adminCommand(cluster.nodes[0]!, ['CLUSTER', 'KEYSLOT', key]));
  }
});
