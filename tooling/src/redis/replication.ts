import { adminCommand, type NodeAddress } from './admin.js';
import { parseInfo } from './ping.js';
import { waitUntil } from './wait.js';

/**
 * Waits until every replica has processed the master's replication stream up to where it was
 * when this was called, so writes acknowledged before a planned failover or kill survive it.
 */
export async function waitForReplicasCaughtUp(master: NodeAddress, replicas: NodeAddress[], timeoutMs: number): Promise<void> {
  const target = Number(parseInfo(await adminCommand(master, ['INFO', 'replication'])).master_repl_offset);
  await waitUntil(
    async () => {
      for (const replica of replicas) {
        const info = parseInfo(await adminCommand(replica, ['INFO', 'replication']));
        if (info.master_link_status !== 'up' || Number(info.slave_repl_offset) < target) return false;
      }
      return true;
    },
    { timeoutMs, what: `replicas of ${master.port} to reach offset ${target}` },
  );
}
