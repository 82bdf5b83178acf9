import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { waitUntil } from '@x/tooling/redis';
import { getTopologies, randomPrefix, useStandalone } from '@x/tooling/vitest';
import { setClientImporters } from '../src/client-library.js';
import { ConnectionError, MissingClientError, createRedisAdapter, isMissingClientError } from '../src/index.js';

const notFound = (name: string) => () => Promise.reject(Object.assign(new Error(`Cannot find package '${name}'`), { code: 'ERR_MODULE_NOT_FOUND' }));

describe('ioredis behaves like node-redis behind the adapter', () => {
  const opened: Redis[] = [];
  afterAll(async () => {
    for (const c of opened) if (c.status !== 'end') await c.quit();
  });
  const io = (options: Record<string, unknown> = {}) => {
    const c = new Redis(getTopologies().standalone.url, options);
    c.on('error', () => undefined);
    opened.push(c);
    return c;
  };

  it('sends keys as given (no keyPrefix) and returns the same replies as node-redis for the commands the packages send', async () => {
    const prefix = randomPrefix('io-raw');
    const adapter = createRedisAdapter(io({ keyPrefix: 'caller-prefix:' }));
    const node = createRedisAdapter(getTopologies().standalone.url, { client: 'node-redis' });
    const k = (name: string) => `${prefix}{h}${name}`;
    await adapter.pipeline([
      { command: ['RPUSH', k('l'), 'a', 'b'], keys: [k('l')] },
      { command: ['SET', k('s'), 'v'], keys: [k('s')] },
      { command: ['ZADD', k('z'), '1', 'm1', '2', 'm2'], keys: [k('z')] },
      { command: ['HSET', k('h'), 'f', 'x'], keys: [k('h')] },
    ]);
    const calls = [
      { command: ['LRANGE', k('l'), 0, -1], keys: [k('l')] },
      { command: ['LINDEX', k('l'), -1], keys: [k('l')] },
      { command: ['ZRANGEBYLEX', k('z'), '-', '+'], keys: [k('z')] },
      { command: ['PING'] },
      { command: ['MGET', k('s'), k('missing')], keys: [k('s'), k('missing')] },
      { command: ['ZSCAN', k('z'), '0'], keys: [k('z')] },
      { command: ['HGET', k('h'), 'f'], keys: [k('h')] },
      { command: ['LLEN', k('l')], keys: [k('l')] },
      { command: ['EXISTS', k('s')], keys: [k('s')] },
      { command: ['GET', k('missing')], keys: [k('missing')] },
    ];
    const viaIo = await adapter.pipeline(calls);
    expect(viaIo).toEqual(await node.pipeline(calls));
    expect(viaIo).toEqual([['a', 'b'], 'b', ['m1', 'm2'], 'PONG', ['v', null], ['0', ['m1', '1', 'm2', '2']], 'x', 2, 1, null]);
    expect(await node.command({ command: ['EXISTS', `caller-prefix:${k('s')}`], keys: [`caller-prefix:${k('s')}`] })).toBe(0);
    await adapter.close();
    await node.close();
  });

  it("applies none of ioredis' argument or reply transformers, whatever case a command is written in", async () => {
    const prefix = randomPrefix('io-case');
    const adapter = createRedisAdapter(io());
    const h = `${prefix}{h}hash`;
    await adapter.command({ command: ['HSET', h, 'f', 'x', 'g', 'y'], keys: [h] });
    // ioredis turns a lower-case hgetall reply into an object; the adapter gets the flat reply either way.
    const upper = await adapter.command({ command: ['HGETALL', h], keys: [h] });
    expect(upper).toEqual(['f', 'x', 'g', 'y']);
    expect(await adapter.command({ command: ['hgetall', h], keys: [h] })).toEqual(upper);
    // ioredis would take a lone Buffer argument of hset apart byte by byte (HSET k 0 97 1 98) and write it;
    // sent as written, Redis refuses the call and nothing is stored.
    const k = `${prefix}{h}bytes`;
    await expect(adapter.command({ command: ['hset', k, Buffer.from('ab')], keys: [k] })).rejects.toThrow(/wrong number of arguments/i);
    expect(await adapter.command({ command: ['EXISTS', k], keys: [k] })).toBe(0);
    // The same inside a pipeline (ioredis' Pipeline path).
    const [piped, pipedHash] = await adapter.pipelineSettled([
      { command: ['hset', k, Buffer.from('ab')], keys: [k] },
      { command: ['hgetall', h], keys: [h] },
    ]);
    expect(piped!.ok).toBe(false);
    expect(pipedHash).toEqual({ ok: true, value: upper });
    expect(await adapter.command({ command: ['EXISTS', k], keys: [k] })).toBe(0);
    await adapter.close();
  });

  it('never closes a caller-owned client, and closes its subscriber when the caller quits', async () => {
    const name = `io-owner-${process.pid}-${Date.now()}`;
    const client = io({ connectionName: name });
    const adapter = createRedisAdapter(client);
    expect(adapter.ownsConnection).toBe(false);
    await adapter.subscribe(`${name}:chan`, () => undefined);
    const observer = createRedisAdapter(getTopologies().standalone.url);
    const named = async () =>
      String(await observer.command({ command: ['CLIENT', 'LIST'] }))
        .split('\n')
        .filter((line) => line.includes(`name=${name}`)).length;
    expect(await named()).toBe(2); // the client and the adapter's subscriber duplicate
    await adapter.close();
    expect(client.status).toBe('ready');
    expect(await client.ping()).toBe('PONG');
    await waitUntil(async () => (await named()) === 1, { timeoutMs: 5_000, what: 'the subscriber to close' });

    const again = createRedisAdapter(client);
    await again.subscribe(`${name}:chan`, () => undefined);
    expect(await named()).toBe(2);
    await client.quit();
    await waitUntil(async () => (await named()) === 0, { timeoutMs: 5_000, what: 'the duplicate to follow the caller' });
    await observer.close();
  });
});

describe('ioredis deadlines while the connection is down', () => {
  const server = useStandalone();
  const opened: Redis[] = [];
  afterAll(async () => {
    if (!server().running) await server().start();
    for (const c of opened) c.disconnect();
  });
  const client = async () => {
    const c = new Redis(server().url, { retryStrategy: () => 20, lazyConnect: true });
    c.on('error', () => undefined);
    await c.connect();
    opened.push(c);
    return c;
  };

  it('rejects a command not sent within the deadline as a command-timeout ConnectionError, and never sends it', async () => {
    const c = await client();
    const adapter = createRedisAdapter(c, { commandTimeoutMs: 150 });
    const patient = createRedisAdapter(c, { commandTimeoutMs: 0 });
    const controller = new AbortController();
    await server().kill();
    await waitUntil(() => c.status !== 'ready', { timeoutMs: 5_000, intervalMs: 5, what: 'the client to notice' });
    const waiting = patient.command({ command: ['SET', 'io:waited', 'v'], keys: ['io:waited'] });
    const aborted = adapter
      .command({ command: ['SET', 'io:aborted', 'v'], keys: ['io:aborted'] }, { signal: controller.signal })
      .catch((e: unknown) => e);
    controller.abort();
    expect(((await aborted) as Error).name).toBe('AbortError');
    const err = await adapter.command({ command: ['SET', 'io:never', 'v'], keys: ['io:never'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toMatch(/command timeout/);
    await server().start();
    await waitUntil(() => c.status === 'ready', { timeoutMs: 5_000, intervalMs: 5, what: 'the client to reconnect' });
    expect(await waiting).toBe('OK'); // no deadline: it waited for the connection and ran
    // The server came back empty: a command kept after its deadline or abort would be written now.
    expect(await adapter.command({ command: ['GET', 'io:never'], keys: ['io:never'] })).toBeNull();
    expect(await adapter.command({ command: ['GET', 'io:aborted'], keys: ['io:aborted'] })).toBeNull();
    expect(await adapter.command({ command: ['GET', 'io:waited'], keys: ['io:waited'] })).toBe('v');
  });

  it('lets a burst of calls wait for the connection with one listener on it (no leak warning), then sends them all', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const c = await client();
      const before = { ready: c.listenerCount('ready'), end: c.listenerCount('end') };
      const adapter = createRedisAdapter(c, { commandTimeoutMs: 0 });
      const k = `${randomPrefix('io-burst')}{b}n`;
      await server().kill();
      await waitUntil(() => c.status !== 'ready', { timeoutMs: 5_000, intervalMs: 5, what: 'the client to notice' });
      const calls = Array.from({ length: 50 }, (_, i) =>
        i % 2 === 0 ? adapter.command({ command: ['INCR', k], keys: [k] }) : adapter.pipeline([{ command: ['INCR', k], keys: [k] }]).then(([n]) => n),
      );
      expect(c.listenerCount('ready')).toBe(before.ready + 1);
      expect(c.listenerCount('end')).toBe(before.end + 1);
      await server().start();
      const replies = (await Promise.all(calls)).map(Number).sort((a, b) => a - b);
      expect(replies).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(c.listenerCount('ready')).toBe(before.ready);
      expect(c.listenerCount('end')).toBe(before.end);
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on a later tick
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });

  it('reports a closed caller client as ConnectionClosedError', async () => {
    const c = await client();
    const adapter = createRedisAdapter(c);
    c.disconnect();
    await expect(adapter.command({ command: ['PING'] })).rejects.toMatchObject({ code: 'ERR_CONNECTION_CLOSED' });
  });
});

describe('optional peers', () => {
  it('with neither library installed, a URL gives MissingClientError naming both install commands', async () => {
    const restore = setClientImporters({ 'node-redis': notFound('redis'), ioredis: notFound('ioredis') });
    try {
      const adapter = createRedisAdapter(getTopologies().standalone.url);
      const err = await adapter.command({ command: ['PING'] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MissingClientError);
      expect(isMissingClientError(err)).toBe(true);
      expect(err).toMatchObject({ code: 'ERR_NO_REDIS_CLIENT', libraries: ['node-redis', 'ioredis'] });
      expect((err as Error).message).toContain('npm install redis');
      expect((err as Error).message).toContain('npm install ioredis');
      await expect(adapter.ready()).rejects.toBeInstanceOf(MissingClientError);
      await adapter.close();
    } finally {
      restore();
    }
  });

  it('with ioredis alone, URLs, cluster seeds and a caller client all work over ioredis', async () => {
    const restore = setClientImporters({ 'node-redis': notFound('redis'), ioredis: () => import('ioredis') });
    try {
      const { standalone, cluster } = getTopologies();
      const fromUrl = createRedisAdapter(standalone.url);
      expect(await fromUrl.command({ command: ['PING'] })).toBe('PONG');
      expect(fromUrl.ownsConnection).toBe(true);
      const clusterFromUrl = createRedisAdapter(cluster.rootNodes[0]!.url);
      await clusterFromUrl.ready();
      expect(clusterFromUrl.topology).toBe('cluster');
      const fromSeeds = createRedisAdapter(cluster.rootNodes.map((n) => n.url));
      for (const a of [clusterFromUrl, fromSeeds]) {
        for (let i = 0; i < 10; i++) expect(await a.command({ command: ['SET', `io:{${i}}`, 'v'], keys: [`io:{${i}}`] })).toBe('OK');
      }
      const onlyNode = createRedisAdapter(standalone.url, { client: 'node-redis' });
      await expect(onlyNode.ready()).rejects.toMatchObject({ code: 'ERR_NO_REDIS_CLIENT', libraries: ['node-redis'] });
      for (const a of [fromUrl, clusterFromUrl, fromSeeds, onlyNode]) await a.close();
    } finally {
      restore();
    }
  });

  it('refuses an unknown client option before connecting', () => {
    expect(() => createRedisAdapter(getTopologies().standalone.url, { client: 'jedis' as never })).toThrow(/client must be one of/);
  });
});
