import { randomUUID } from 'node:crypto';
import { connectTarget, randomPrefix, type Topology } from '@x/tooling/vitest';
import { RedisSession, type RedisSessionOptions } from '../src/index.js';

/** Something the test closes in `afterAll`. */
export interface Closable {
  close(): Promise<unknown>;
}

/** A session id with the characters ids must treat as plain data. */
export function sessionId(label = 's'): string {
  return `${label}:{tag}*?[x] ü-${randomUUID()}`;
}

/**
 * A factory of RedisSessions on one shared connection to `t` (node-redis, or ioredis when X_REDIS_CLIENT=ioredis), under
 * one random prefix. Call `close()` in `afterAll`.
 */
export function sessionFactory(t: Topology, options: RedisSessionOptions = {}) {
  const prefix = options.prefix ?? randomPrefix('openai-agents');
  let client: Closable | undefined;
  const opened: RedisSession[] = [];
  const connect = async () => (client ??= await connectTarget(t));
  return {
    prefix,
    async open(extra: RedisSessionOptions = {}): Promise<RedisSession> {
      const c = await connect();
      const session = new RedisSession(c as never, { prefix, sessionId: sessionId(), ...options, ...extra });
      opened.push(session);
      return session;
    },
    async close(): Promise<void> {
      for (const s of opened.splice(0)) {
        await s.clearSession().catch(() => undefined);
        await s.close();
      }
      await client?.close();
      client = undefined;
    },
  };
}
