import type { RedisClientOptions } from 'redis';
import type { NodeRedisModule } from '../client-library.js';
import type { AnyClient } from './client-transport.js';

/** Connection attempts before the first connect of an owned client gives up. */
const INITIAL_CONNECT_ATTEMPTS = 3;

/**
 * node-redis retries a refused connection forever by default, so `connect()`
 * never settles and every call hangs. For clients the adapter creates (and
 * when the caller set no strategy of its own): give up after a few attempts
 * until the first connection succeeded, then reconnect with `backoffMs` (50 ms
 * doubling, at most 2 s, unless given).
 */
export function createOwnedClient(
  redis: NodeRedisModule,
  options: RedisClientOptions,
  backoffMs: (retries: number) => number = (retries) => Math.min(50 * 2 ** Math.min(retries, 6), 2_000),
): AnyClient {
  if (options.socket && 'reconnectStrategy' in options.socket) {
    return redis.createClient(options) as unknown as AnyClient;
  }
  let connectedOnce = false;
  const socket = {
    ...options.socket,
    reconnectStrategy: (retries: number, cause: Error) => {
      if (!connectedOnce && retries >= INITIAL_CONNECT_ATTEMPTS - 1) return cause;
      return backoffMs(retries);
    },
  } as RedisClientOptions['socket'];
  const client = redis.createClient({ ...options, socket }) as unknown as AnyClient;
  client.on('ready', () => {
    connectedOnce = true;
  });
  return client;
}
