import { createClient } from 'redis';

export interface NodeAddress {
  host: string;
  port: number;
}

/**
 * Runs one command on one node through a short-lived node-redis client (RESP2, no
 * reconnects) and returns the raw reply. For harness bookkeeping (CLUSTER, INFO,
 * SENTINEL), not for tests.
 */
export async function adminQuery(node: NodeAddress, args: string[], timeoutMs = 2000): Promise<unknown> {
  const client = createClient({
    socket: { host: node.host, port: node.port, connectTimeout: timeoutMs, reconnectStrategy: false },
    RESP: 2,
  });
  client.on('error', () => {
    // surfaces through the rejected connect/command
  });
  await client.connect();
  try {
    return await client.sendCommand(args);
  } finally {
    client.destroy();
  }
}

/** {@link adminQuery} for commands whose reply is one string (INFO, CLUSTER NODES, OK). */
export async function adminCommand(node: NodeAddress, args: string[], timeoutMs = 2000): Promise<string> {
  return String(await adminQuery(node, args, timeoutMs));
}
