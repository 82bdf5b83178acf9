import type { IoRedis } from './types.js';

/**
 * Disconnects an ioredis connection at once, failing the commands it holds with
 * a retryable error (mapped to `ConnectionError`: they may or may not have been
 * applied). Failed first, because `disconnect()` alone fails them as "closed for
 * good", and a connection waiting to reconnect keeps them (it only cancels the
 * reconnect), so they would never settle.
 */
export function disconnectNow(connection: IoRedis): void {
  (connection as { flushQueue?: (error: Error) => void }).flushQueue?.(new Error('the connection was dropped: its server is gone or was replaced'));
  connection.disconnect();
  // Waiting to reconnect, it would stay 'reconnecting' for good (there is no socket to close, so
  // no 'end'), and whatever waits for it to be ready would wait until its deadline: end it.
  if (connection.status === 'reconnecting') (connection as { setStatus?: (status: string) => void }).setStatus?.('end');
}
