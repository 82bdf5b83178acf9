import { randomUUID } from 'node:crypto';
import { connectTarget, randomPrefix, type Topology } from '@x/tooling/vitest';
import { RedisChatMessageHistory, type RedisChatMessageHistoryOptions } from '../src/index.js';

/** Something the test closes in `afterAll`. */
export interface Closable {
  close(): Promise<unknown>;
}

/** A session id with the characters ids must treat as plain data. */
export function sessionId(label = 's'): string {
  return `${label}:{tag}*?[x] ü-${randomUUID()}`;
}

/** Histories on one shared node-redis connection to `t`, under one random prefix. Call `close()` in `afterAll`. */
export function historyFactory(t: Topology, options: Partial<RedisChatMessageHistoryOptions> = {}) {
  const prefix = options.prefix ?? randomPrefix('langchain');
  let client: Closable | undefined;
  const opened: RedisChatMessageHistory[] = [];
  return {
    prefix,
    async open(extra: Partial<RedisChatMessageHistoryOptions> = {}): Promise<RedisChatMessageHistory> {
      client ??= await connectTarget(t); // node-redis, or ioredis when X_REDIS_CLIENT=ioredis
      const history = new RedisChatMessageHistory(client as never, { prefix, sessionId: sessionId(), ...options, ...extra });
      opened.push(history);
      return history;
    },
    async close(): Promise<void> {
      for (const h of opened.splice(0)) {
        await h.clear().catch(() => undefined);
        await h.close();
      }
      await client?.close();
      client = undefined;
    },
  };
}
