/**
 * Puts a test server into the states the retry and durability tests need: loading
 * its data (every command answers `LOADING`), and replicating another server.
 */
import { adminCommand, type NodeAddress } from './admin.js';
import { parseInfo } from './ping.js';
import { waitUntil } from './wait.js';

/**
 * Runs `body` while the server reloads its data slowly (`DEBUG RELOAD` with a
 * per-key load delay), so every command meanwhile is refused with `LOADING`.
 * Adds `keys` filler keys (prefix `loading-fill`) to make the load last; the
 * server's data (saved and reloaded) is otherwise kept.
 */
export async function whileLoading(node: NodeAddress, body: () => Promise<void>, keys = 20_000): Promise<void> {
  await adminCommand(node, ['DEBUG', 'POPULATE', String(keys), 'loading-fill']);
  await adminCommand(node, ['CONFIG', 'SET', 'key-load-delay', '20']);
  await adminCommand(node, ['CONFIG', 'SET', 'loading-process-events-interval-bytes', '1024']);
  const reload = adminCommand(node, ['DEBUG', 'RELOAD'], 60_000).catch(() => 'done');
  try {
    await waitUntil(async () => (await adminCommand(node, ['PING']).catch((e: Error) => e.message)).startsWith('LOADING'), {
      timeoutMs: 10_000,
      what: 'the server loading',
    });
    await body();
  } finally {
    await reload;
    await adminCommand(node, ['CONFIG', 'SET', 'key-load-delay', '0']);
  }
}

/** Makes `replica` a replica of `master` and waits until its link is up and in sync. */
export async function replicaOf(replica: NodeAddress, master: NodeAddress, timeoutMs = 10_000): Promise<void> {
  await adminCommand(replica, ['REPLICAOF', master.host, String(master.port)]);
  await waitUntil(
    async () => {
      const info = parseInfo(await adminCommand(replica, ['INFO', 'replication']));
      return info.master_link_status === 'up' && info.master_sync_in_progress === '0';
    },
    { timeoutMs, what: `${replica.port} replicating ${master.port}` },
  );
}
