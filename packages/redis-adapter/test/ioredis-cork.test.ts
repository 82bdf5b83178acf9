// On an ioredis connection the adapter corks the socket for the rest of the tick, so the
// commands of concurrent callers go out in one write (node-redis does this by itself; ioredis
// writes each command on its own). Counted on the real socket of a real connection.
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { getTopologies, randomPrefix } from '@x/tooling/vitest';
import { createRedisAdapter } from '../src/index.js';

interface CountedSocket {
  _write: (...a: unknown[]) => unknown;
  _writev?: (...a: unknown[]) => unknown;
}

/** Counts the writes that reach the socket (one per system call Node makes for it). */
function countWrites(client: Redis): { readonly writes: number } {
  const socket = (client as unknown as { stream: CountedSocket }).stream;
  const counter = { writes: 0 };
  const write = socket._write.bind(socket);
  socket._write = (...a: unknown[]) => (counter.writes++, write(...a));
  if (socket._writev) {
    const writev = socket._writev.bind(socket);
    socket._writev = (...a: unknown[]) => (counter.writes++, writev(...a));
  }
  return counter;
}

describe('ioredis: commands sent in one tick go out in one write', () => {
  const opened: Redis[] = [];
  afterAll(async () => {
    for (const c of opened) if (c.status !== 'end') await c.quit();
  });
  const connect = async () => {
    const c = new Redis(getTopologies().standalone.url);
    c.on('error', () => undefined);
    opened.push(c);
    await new Promise((resolve) => c.once('ready', resolve));
    return c;
  };

  it('20 concurrent commands through the adapter: one write, replies in order', async () => {
    const client = await connect();
    const adapter = createRedisAdapter(client);
    const prefix = randomPrefix('io-cork');
    const counter = countWrites(client);
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => adapter.command({ command: ['SET', `${prefix}${i}`, String(i), 'GET'], keys: [`${prefix}${i}`] })),
    );
    expect(replies).toEqual(Array.from({ length: 20 }, () => null));
    expect(counter.writes).toBe(1);
    const values = await Promise.all(Array.from({ length: 20 }, (_, i) => adapter.command({ command: ['GET', `${prefix}${i}`], keys: [`${prefix}${i}`] })));
    expect(values).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
    expect(counter.writes).toBe(2);
  });

  it('the same commands sent by ioredis itself take a write each (what the cork saves)', async () => {
    const client = await connect();
    const prefix = randomPrefix('io-cork-raw');
    const counter = countWrites(client);
    await Promise.all(Array.from({ length: 20 }, (_, i) => client.set(`${prefix}${i}`, String(i))));
    expect(counter.writes).toBe(20);
  });
});
