import { createClient, type createCluster } from 'redis';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { waitUntil } from '@x/tooling/redis';
import { connectTopology, forEachTopology, useStandalone } from '@x/tooling/vitest';
import { defineScript } from '@x/lua-scripts';
import { ConnectionError, createRedisAdapter } from '../src/index.js';
import { COMMANDS_PER_SIGNAL } from '../src/node-redis/deadlines.js';

type ClientConnection = ReturnType<typeof createClient>;
type ClusterConnection = ReturnType<typeof createCluster>;

const echo = defineScript({ name: 'test/echo-timeout', source: 'return ARGV[1]', keys: ['k'], args: ['v'] });

// node-redis 6 arms a new AbortSignal.timeout for every command (5 000 ms unless
// configured). The adapter keeps the same timeout with signals shared by the
// commands of a short window instead (src/node-redis/deadlines.ts).
forEachTopology(['standalone', 'cluster'], (t) => {
  describe('command timeouts without a timer per command', () => {
    it('arms one AbortSignal.timeout per window of commands, where node-redis alone arms one per command', async () => {
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
        // One shared timer per COMMANDS_PER_SIGNAL commands sent together (the first EVALSHAs are
        // re-sent as EVAL after NOSCRIPT, so up to 406 commands): a handful, not one per command.
        expect(timers.mock.calls.length).toBeGreaterThan(0);
        expect(timers.mock.calls.length).toBeLessThanOrEqual(Math.ceil(406 / COMMANDS_PER_SIGNAL) + 2);
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

  /** Settles `p` or reports that it is still pending after ms. */
  const pendingAfter = async (p: Promise<unknown>, ms: number) =>
    Promise.race([p.then(() => 'settled', () => 'settled'), new Promise((resolve) => setTimeout(() => resolve('pending'), ms))]);

  it('rejects a command the client cannot send within its own timeout, as a ConnectionError, and never sends it', async () => {
    const c = await client(150);
    const adapter = createRedisAdapter(c);
    await down(c);
    // Read the real clock before faking timers: vitest fakes performance.now() too (from 0).
    const startedAt = performance.now();
    vi.useFakeTimers(); // a caller's fake timers do not hold the deadline back
    let err: unknown;
    try {
      err = await adapter.command({ command: ['SET', 'to:never-sent', 'v'], keys: ['to:never-sent'] }).catch((e: unknown) => e);
    } finally {
      vi.useRealTimers();
    }
    const waitedMs = performance.now() - startedAt;
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toMatch(/command timeout/);
    expect(waitedMs).toBeGreaterThanOrEqual(149); // never before the client's timeout
    expect(waitedMs).toBeLessThan(4000); // the client's 150 ms, not node-redis' default 5 000
    await up(c);
    // The server came back empty: had node-redis kept the SET, it would be written before this GET.
    expect(await adapter.command({ command: ['GET', 'to:never-sent'], keys: ['to:never-sent'] })).toBeNull();
    expect(await adapter.command({ command: ['SET', 'to:sent', 'v'], keys: ['to:sent'] })).toBe('OK');
  });

  it('applies the adapter\'s own commandTimeoutMs instead of the client\'s, and 0 turns it off', async () => {
    const c = await client(150);
    const short = createRedisAdapter(await client(), { commandTimeoutMs: 100 }); // client: node-redis' default 5 000 ms
    const none = createRedisAdapter(c, { commandTimeoutMs: 0 });
    const fallback = createRedisAdapter(c);
    await down(c);
    const waiting = none.command({ command: ['SET', 'to:waited', 'v'], keys: ['to:waited'] });
    const rejected = await short.command({ command: ['PING'] }).catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(ConnectionError);
    expect((rejected as Error).message).toMatch(/command timeout/);
    const alsoRejected = await fallback.command({ command: ['PING'] }).catch((e: unknown) => e);
    expect(alsoRejected).toBeInstanceOf(ConnectionError);
    expect(await pendingAfter(waiting, 300)).toBe('pending'); // well past the client's own 150 ms
    await up(c);
    // No timeout at all: the command waited in node-redis' queue and ran once the server was back.
    expect(await waiting).toBe('OK');
    expect(await none.command({ command: ['GET', 'to:waited'], keys: ['to:waited'] })).toBe('v');
  });

  it('leaves abort signals of the caller and of the connection, and timeouts too long for a timer, to node-redis', async () => {
    const c = await client(150);
    const longest = await client(2_147_483_647);
    const adapter = createRedisAdapter(c);
    const controller = new AbortController();
    const connectionController = new AbortController();
    const withSignal = createRedisAdapter(c.withAbortSignal(connectionController.signal));
    await down(c);
    await waitUntil(() => !longest.isReady, { timeoutMs: 5000, intervalMs: 5, what: 'the second client to notice' });
    const byCaller = adapter.command({ command: ['SET', 'to:caller', 'v'], keys: ['to:caller'] }, { signal: controller.signal });
    const byConnection = withSignal.command({ command: ['SET', 'to:connection', 'v'], keys: ['to:connection'] });
    const patient = createRedisAdapter(longest).command({ command: ['SET', 'to:longest', 'v'], keys: ['to:longest'] });
    controller.abort();
    connectionController.abort();
    for (const aborted of [await byCaller.catch((e: unknown) => e), await byConnection.catch((e: unknown) => e)]) {
      expect(aborted).toBeInstanceOf(Error);
      expect((aborted as Error).message).not.toMatch(/command timeout/); // an abort, not a timeout
    }
    expect(await pendingAfter(patient, 300)).toBe('pending');
    await up(c);
    await waitUntil(() => longest.isReady, { timeoutMs: 5000, intervalMs: 5, what: 'the second client to reconnect' });
    expect(await patient).toBe('OK');
    for (const key of ['to:caller', 'to:connection']) {
      expect(await adapter.command({ command: ['GET', key], keys: [key] }), key).toBeNull(); // aborted: never sent
    }
  });
});
