import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, isPortFree, startStandalone, type RedisClient, type StandaloneHandle } from '@x/tooling/redis';

describe('startStandalone', () => {
  let server: StandaloneHandle;
  let client: RedisClient;

  beforeAll(async () => {
    server = await startStandalone();
    client = await connectClient(server.url);
  });
  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });

  it('runs our own redis-server on a loopback port with persistence off', async () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).not.toBe(6379);
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
    expect(await client.ping()).toBe('PONG');
    expect(await client.configGet('save')).toEqual({ save: '' });
    expect(await client.configGet('appendonly')).toEqual({ appendonly: 'no' });
    expect(await client.configGet('bind')).toEqual({ bind: '127.0.0.1' });
  });

  it('restart() comes back on the same port with no data and no cached scripts', async () => {
    await client.set('survives?', 'no');
    const sha = await client.scriptLoad('return 1');
    const port = server.port;
    await server.restart();
    expect(server.port).toBe(port);
    const fresh = await connectClient(server.url);
    try {
      expect(await fresh.get('survives?')).toBeNull();
      expect(await fresh.scriptExists(sha)).toEqual([0]);
    } finally {
      fresh.destroy();
    }
  });

  it('kill() drops the server at once and start() brings it back', async () => {
    await server.kill();
    expect(server.running).toBe(false);
    expect(await isPortFree(server.port)).toBe(true);
    await server.start();
    expect(server.running).toBe(true);
    const fresh = await connectClient(server.url);
    try {
      expect(await fresh.ping()).toBe('PONG');
    } finally {
      fresh.destroy();
    }
  });

  it('fails fast with the server\'s own reason when a fixed port is taken', async () => {
    const started = performance.now();
    await expect(startStandalone({ port: server.port })).rejects.toMatchObject({
      name: 'HarnessError',
      code: 'SERVER_START_FAILED',
      message: expect.stringMatching(/address already in use/i),
    });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(await client.ping()).toBe('PONG'); // the server on that port is untouched
  });

  it('stop() frees the port', async () => {
    const other = await startStandalone();
    await other.stop();
    expect(other.running).toBe(false);
    expect(await isPortFree(other.port)).toBe(true);
  });
});
