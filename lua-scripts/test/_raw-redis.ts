import type { ScriptDescriptor } from '../src/index.js';

/** Anything with node-redis's `sendCommand(args)`. */
interface SendsCommands {
  sendCommand(args: (string | Buffer)[]): Promise<unknown>;
}

/**
 * Helpers for testing scripts directly on a real Redis with a plain node-redis
 * client (RESP2), without the adapter package.
 */
export function rawRedis(client: SendsCommands) {
  const call = (...args: (string | number | Buffer)[]) =>
    client.sendCommand(args.map((a) => (Buffer.isBuffer(a) ? a : String(a))));
  return {
    call,
    /** EVALSHA, loading the script with EVAL on NOSCRIPT. */
    async run(script: ScriptDescriptor, keys: readonly string[], args: readonly (string | number | Buffer)[] = []) {
      const tail = [keys.length, ...keys, ...args];
      try {
        return await call('EVALSHA', script.sha1, ...tail);
      } catch (err) {
        if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
        return call('EVAL', script.source, ...tail);
      }
    },
    async hgetall(key: string): Promise<Record<string, string>> {
      const flat = (await call('HGETALL', key)) as string[];
      return Object.fromEntries(Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i]!, flat[2 * i + 1]!]));
    },
    /** The server clock in microseconds. */
    async serverTimeUs(): Promise<number> {
      const [s, us] = (await call('TIME')) as [string, string];
      return Number(s) * 1_000_000 + Number(us);
    },
    /** The server clock in milliseconds. */
    async serverTimeMs(): Promise<number> {
      const [s, us] = (await call('TIME')) as [string, string];
      return Number(s) * 1000 + Math.floor(Number(us) / 1000);
    },
    /** Deletes every key under `prefix` (SCAN; test cleanup only). */
    async deleteByPrefix(prefix: string): Promise<void> {
      let cursor = '0';
      do {
        const [next, keys] = (await call('SCAN', cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)) as [string, string[]];
        cursor = next;
        if (keys.length) await call('DEL', ...keys);
      } while (cursor !== '0');
    },
  };
}
