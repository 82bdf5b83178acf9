import { createClient, type createCluster } from 'redis';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { waitUntil } from '@x/tooling/redis';
import { connectTopology, forEachTopology, useStandalone } from '@x/tooling/vitest';
import { defineScript } from '@x/lua-scripts';
import { ConnectionError, createRedisAdapter } from '../src/index.js';

type ClientConnection = ReturnType<typeof createClient>;
type ClusterConnection = ReturnType<typeof createCluster>;

const echo = defineScript({ name: 'test/echo-timeout', source: 'return ARGV[1]', keys: ['k'], args: ['v'] });

// node-redis 6 arms a new AbortSignal.timeout for every command (5 000 ms unless
// configured). The adapter keeps the same timeout with signals shared by the
// commands of a short window instead (src/node-redis/deadlines.ts).
forEachTopology(['standalone', 'cluster'], (t) => {
  describe('command timeouts without a timer per command', () => {
    it('arms no AbortSignal.timeout for its commands, where node-redis alone arms one per command', async () => {
      const connection = await connectTopology(t);
      const adapter = createRedisAdapter(connection);
      const timers = vi.spyOn(AbortSignal, 'timeout');
      try {
        if (t.kind === 'cluster') await (connection as unknown as ClusterConnection).sendCommand('k', false, ['PING']);
        else await (connection as unknown as ClientConnection).sendCommand(['PING']);
        expect(timers).toHaveBeenCalled(); // the spy sees node-redis' own timers
        timers.mockClear();
        const replies = await Promise.all(
          Array.from({ length: 200 }, (_, i) => adapter.runScript(echo, { keys: [`to:{${i % 7}}`], args: [`v${i}`] })),
        );
        expect(replies).toEqual(Array.from({ length: 200 }, (_, i) => `v${i}`));
        const buffer = await adapter.runScript(echo, { keys: ['to:{b}'], args: ['bytes'] }, { returnBuffers: true });
        expect(Buffer.isBuffer(buffer)).toBe(true);
        expect(await adapter.pipeline([{ command: ['ECHO', 'a'] }, { command: ['ECHO', 'b'] }])).toEqual(['a', 'b']);
        expect(timers).not.toHaveBeenCalled();
      } finally {
        timers.mockRestore();
        await adapter.close();
        await connection.close();
      }
    });
  });
});

describe('command timeouts while the connection is down', () => {
  const server = useStandalone();
  const opened: { close(): Promise<unknown> }[] = [];
  afterAll(async () => {
    if (!server().running) await server().start();
    for (const c of opened.reverse()) await c.close().catch(() => undefined);
  });

  /** A client of the private server with the given command timeout; reconnects every 20 ms. */
  const client = async (timeout?: number) => {
    const c = createClient({
      url: server().url,
      socket: { reconnectStrategy: 20 },
      ...(timeout === undefined ? {} : { commandOptions: { timeout } }),
    });
    c.on('error', () => undefined);
    await c.connect();
    opened.push(c);
    return c;
  };
  const down = async (c: { isReady: boolean }) => {
    await server().kill();
    await waitUntil(() => !c.isReady, { timeoutMs: 5000, intervalMs: 5, what: 'the client to notice the server is gone' });
  };
  const up = async (c: { isReady: boolean }) => {
    await server().start();
    await waitUntil(() => c.isReady, { timeoutMs: 5000, intervalMs: 5, what: 'the client to reconnect' });
  };

  it('rejects a command the client cannot send within its own timeout, as a ConnectionError, and never sends it', async () => {
    const c = await client(150);
    const adapter = createRedisAdapter(c);
    await down(c);
    const startedAt = performance.now();
    const err = await adapter.command({ command: ['SET', 'to:never-sent', 'v'], keys: ['to:never-sent'] }).catch((e: unknown) => e);
    const waitedMs = performance.now() - startedAt;
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toMatch(/command timeout/);
    expect(waitedMs).toBeGreaterThanOrEqual(149); // never before the client's timeout
    await up(c);
    // The server came back empty: had node-redis kept the SET, it would be written before this GET.
    expect(await adapter.command({ command: ['GET', 'to:never-sent'], keys: ['to:never-sent'] })).toBeNull();
    expect(await adapter.command({ command: ['SET', 'to:sent', 'v'], keys: ['to:sent'] })).toBe('OK');
  });

  it('applies the adapter\'s own commandTimeoutMs instead of the client\'s, and 0 turns it off', async () => {
    const c = await client(); // node-redis' default: 5 000 ms
    const short = createRedisAdapter(c, { commandTimeoutMs: 100 });
    const none = createRedisAdapter(c, { commandTimeoutMs: 0 });
    const fallback = createRedisAdapter(await client(120));
    await down(c);
    const waiting = none.command({ command: ['SET', 'to:waited', 'v'], keys: ['to:waited'] });
    const rejected = await short.command({ command: ['PING'] }).catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(ConnectionError);
    expect((rejected as Error).message).toMatch(/command timeout/);
    const alsoRejected = await fallback.command({ command: ['PING'] }).catch((e: unknown) => e);
    expect(alsoRejected).toBeInstanceOf(ConnectionError);
    await up(c);
    // No timeout at all: the command waited in node-redis' queue and ran once the server was back.
    expect(await waiting).toBe('OK');
    expect(await none.command({ command: ['GET', 'to:waited'], keys: ['to:waited'] })).toBe('v');
  });
});
