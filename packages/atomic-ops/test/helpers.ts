import { waitUntil } from '@x/tooling/redis';
import { connectTarget, randomPrefix, type Topology } from '@x/tooling/vitest';
import type { RedisAdapter } from '@x/redis-adapter';
import { randomUUID } from 'node:crypto';
import { AtomicOperations, type AtomicOperationsOptions } from '../src/index.js';

/** Something with a `close()` the test must call in `afterAll`. */
export interface Closable {
  close(): Promise<unknown>;
}

/**
 * Opens an AtomicOperations on its own connection to `t` (of the run's client library), under a
 * random prefix unless one is given. Push the returned closers into `closers`.
 */
export async function openOps(
  t: Topology,
  closers: Closable[],
  options: AtomicOperationsOptions = {},
): Promise<AtomicOperations> {
  const client = await connectTarget(t); // node-redis, or ioredis when X_REDIS_CLIENT=ioredis
  closers.push(client);
  const ops = new AtomicOperations(client as never, { prefix: randomPrefix('atomic-ops'), ...options });
  closers.push(ops);
  return ops;
}

export async function closeAll(closers: Closable[]): Promise<void> {
  // Instances first (they never close a caller's client), then the clients.
  for (const c of closers.splice(0).reverse()) await c.close().catch(() => undefined);
}

/** A fresh session id with the characters ids must treat as plain data. */
export function sessionId(label = 's'): string {
  return `${label}:{tag}*?[x] ü-${randomUUID()}`;
}

/** Every key under the instance's prefix with a dump of its value (type + content). */
export async function snapshot(ops: AtomicOperations): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const redis: RedisAdapter = ops.redis;
  for await (const batch of redis.scan({ match: ops.keys.scanPattern() })) {
    for (const key of batch) {
      const dump = await redis.command<Buffer | null>({ command: ['DUMP', key], keys: [key] }, { returnBuffers: true });
      out.set(key, dump === null ? 'gone' : dump.toString('hex'));
    }
  }
  return out;
}

/** PTTL of each session key that exists (the lock excluded unless asked). */
export async function sessionTtls(
  ops: AtomicOperations,
  id: string,
  withLock = false,
): Promise<Record<string, number>> {
  const keys = ops.keys.session(id);
  const out: Record<string, number> = {};
  for (const [name, key] of Object.entries(keys)) {
    if (name === 'lock' && !withLock) continue;
    const pttl = await ops.redis.command<number>({ command: ['PTTL', key], keys: [key] });
    if (pttl !== -2) out[name] = pttl;
  }
  return out;
}

/** The server clock in ms (for checking that timestamps come from it). */
export async function serverTimeMs(ops: AtomicOperations, anyKey: string): Promise<number> {
  const [s, us] = await ops.redis.command<[string, string]>({ command: ['TIME'], keys: [anyKey] });
  return Number(s) * 1000 + Math.floor(Number(us) / 1000);
}

/** Polls until `check` is truthy (no fixed sleeps). */
export function eventually<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 5000): Promise<T> {
  return waitUntil(check, { timeoutMs, intervalMs: 10, what });
}
