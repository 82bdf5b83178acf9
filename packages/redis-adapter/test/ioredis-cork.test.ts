// On an ioredis connection the adapter corks the socket for the rest of the tick, so the
// commands of concurrent callers go out in one write (node-redis does this by itself; ioredis
// writes each command on its own). Counted on the real socket of a real connection.
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { getTopologies, randomPrefix } from '@x/tooling/vitest';
import { createRedisAdapter, defineScript } from '../src/index.js';

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

  it('a pipeline of scripts and commands: one write, no ioredis Pipeline, replies and errors in order, NOSCRIPT recovered', async () => {
    const client = await connect();
    const adapter = createRedisAdapter(client);
    const prefix = randomPrefix('io-cork-batch');
    const echo = defineScript({ name: 'cork-test/echo', source: "return ARGV[1] .. ':' .. redis.call('INCR', KEYS[1])", keys: ['n'], args: ['text'] });
    let pipelines = 0;
    const makePipeline = client.pipeline.bind(client);
    client.pipeline = ((...a: Parameters<typeof client.pipeline>) => (pipelines++, makePipeline(...a))) as typeof client.pipeline;
    await client.script('FLUSH'); // the script is unknown: its EVALSHA fails with NOSCRIPT and is sent again as EVAL
    const counter = countWrites(client);
    const settled = await adapter.pipelineSettled([
      { script: echo, keys: [`${prefix}n`], args: ['a'] },
      { command: ['SET', `${prefix}s`, 'v'], keys: [`${prefix}s`] },
      { command: ['HGET', `${prefix}s`, 'f'], keys: [`${prefix}s`] },
      { script: echo, keys: [`${prefix}n`], args: ['b'] },
      { command: ['GET', `${prefix}s`], keys: [`${prefix}s`] },
    ]);
    expect(settled.map((r) => (r.ok ? r.value : /WRONGTYPE/.test(r.error.message) ? 'WRONGTYPE' : r.error.message))).toEqual(['a:1', 'OK', 'WRONGTYPE', 'b:2', 'v']);
    // The batch in one write, the two EVAL re-sends in a second one.
    expect(counter.writes).toBe(2);
    expect(pipelines).toBe(0);
  });

  it('the same commands sent by ioredis itself take a write each (what the cork saves)', async () => {
    const client = await connect();
    const prefix = randomPrefix('io-cork-raw');
    const counter = countWrites(client);
    await Promise.all(Array.from({ length: 20 }, (_, i) => client.set(`${prefix}${i}`, String(i))));
    expect(counter.writes).toBe(20);
  });
});
