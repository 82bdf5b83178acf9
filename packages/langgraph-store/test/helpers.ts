import { randomBytes } from 'node:crypto';
import type { RedisAdapter } from '@x/redis-adapter';

/** A random store prefix for one test. */
export function testPrefix(label = 'store'): string {
  return `t:${label}-${randomBytes(5).toString('hex')}`;
}

/** Deletes every key of a prefix (SCAN on every master: test cleanup only). */
export async function dropPrefix(redis: RedisAdapter, encodedPrefix: string): Promise<void> {
  const pattern = `${encodedPrefix.replace(/[*?[\]\\]/g, '\\$&')}:{*`;
  for await (const keys of redis.scan({ match: pattern })) {
    for (const key of keys) await redis.command({ command: ['DEL', key], keys: [key] });
  }
}
