import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { startStandalone, type StandaloneHandle } from '@x/tooling/redis';
import { RoundTripProxy } from '@x/tooling/proxy';

describe('RoundTripProxy', () => {
  let server: StandaloneHandle;
  let proxy: RoundTripProxy;

  beforeAll(async () => {
    server = await startStandalone();
    proxy = await RoundTripProxy.start(server.host, server.port);
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.stop();
  });

  it('counts a pipeline written in one go as one round trip, sequential calls as one each', async () => {
    const client = createClient({ url: proxy.url });
    await client.connect();
    try {
      proxy.reset();
      await Promise.all([client.set('a', '1'), client.set('b', '2'), client.get('a')]);
      expect(proxy.roundTrips).toBe(1);
      await client.get('a');
      await client.get('b');
      expect(proxy.roundTrips).toBe(3);
    } finally {
      client.destroy();
    }
  });

  it('cut() drops live connections and refuses new ones until restore()', async () => {
    const errors: Error[] = [];
    const client = createClient({ url: proxy.url, socket: { reconnectStrategy: 50 } });
    client.on('error', (e: Error) => errors.push(e));
    await client.connect();
    try {
      expect(await client.ping()).toBe('PONG');
      proxy.cut();
      await expect(client.ping()).rejects.toThrow();
      // While cut, reconnects keep failing.
      await new Promise((r) => setTimeout(r, 300));
      expect(client.isReady).toBe(false);
      expect(errors.length).toBeGreaterThan(1);
      proxy.restore();
      const deadline = Date.now() + 5_000;
      while (!client.isReady && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.destroy();
    }
  });
});
