import { describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { useProxiedStandalone } from '@x/tooling/vitest';

describe('RoundTripProxy', () => {
  const proxied = useProxiedStandalone();

  it('counts a pipeline written in one go as one round trip, sequential calls as one each', async () => {
    const client = createClient({ url: proxied().proxy.url });
    await client.connect();
    try {
      proxied().proxy.reset();
      await Promise.all([client.set('a', '1'), client.set('b', '2'), client.get('a')]);
      expect(proxied().proxy.roundTrips).toBe(1);
      await client.get('a');
      await client.get('b');
      expect(proxied().proxy.roundTrips).toBe(3);
    } finally {
      client.destroy();
    }
  });

  it('cut() drops live connections and refuses new ones until restore()', async () => {
    const errors: Error[] = [];
    const client = createClient({ url: proxied().proxy.url, socket: { reconnectStrategy: 50 } });
    client.on('error', (e: Error) => errors.push(e));
    await client.connect();
    try {
      expect(await client.ping()).toBe('PONG');
      proxied().proxy.cut();
      await expect(client.ping()).rejects.toThrow();
      // While cut, reconnects keep failing.
      await new Promise((r) => setTimeout(r, 300));
      expect(client.isReady).toBe(false);
      expect(errors.length).toBeGreaterThan(1);
      proxied().proxy.restore();
      const deadline = Date.now() + 5_000;
      while (!client.isReady && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.destroy();
    }
  });
});
