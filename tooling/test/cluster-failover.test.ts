import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminCommand,
  connectClient,
  connectCluster,
  parseInfo,
  randomPrefix,
  startCluster,
  type ClusterHandle,
} from '@x/tooling/redis';

describe('startCluster with replicas: killMaster', () => {
  let cluster: ClusterHandle;

  beforeAll(async () => {
    cluster = await startCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 1000 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('starts 3 masters each with a synced replica', async () => {
    expect(cluster.nodes).toHaveLength(6);
    expect(cluster.masters()).toHaveLength(3);
    expect(cluster.nodes.filter((node) => node.role === 'replica')).toHaveLength(3);
  });

  it('promotes the replica of a SIGKILLed master and keeps its data', async () => {
    const victim = cluster.masters()[0]!;
    // Slots 0-5460 belong to master #0. No WAIT: killMaster lets the replica catch up first.
    const key = `${randomPrefix('failover')}{${await keyForSlotZeroTag()}}`;
    const direct = await connectClient(victim.url);
    await direct.set(key, 'kept');
    direct.destroy();

    const { killed, promoted } = await cluster.killMaster(0);
    expect(killed.port).toBe(victim.port);
    expect(killed.alive).toBe(false);
    expect(promoted).toBeDefined();
    expect(promoted!.role).toBe('master');
    expect(parseInfo(await adminCommand(promoted!, ['INFO', 'replication'])).role).toBe('master');
    for (const node of cluster.nodes.filter((n) => n.alive)) {
      expect(parseInfo(await adminCommand(node, ['CLUSTER', 'INFO'])).cluster_state).toBe('ok');
    }
    expect(cluster.masters()).toHaveLength(3);
    expect(cluster.masters().map((node) => node.port)).not.toContain(victim.port);

    const client = await connectCluster(cluster.rootNodes);
    try {
      expect(await client.get(key)).toBe('kept');
    } finally {
      await client.close();
    }
  });

  /** A hash tag whose slot is served by master #0 (slots 0-5460). */
  async function keyForSlotZeroTag(): Promise<string> {
    for (let i = 0; ; i++) {
      const slot = Number(await adminCommand(cluster.nodes[0]!, ['CLUSTER', 'KEYSLOT', `tag${i}`]));
      if (slot <= 5460) return `tag${i}`;
    }
  }
});
