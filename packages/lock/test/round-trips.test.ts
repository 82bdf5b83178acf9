import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTopologies } from '@x/tooling/vitest';
import { RoundTripProxy } from '@x/tooling/proxy';
import { connectClient, type RedisClient } from '@x/tooling/redis';
import { createRedisAdapter, type RedisAdapter } from '@x/redis-adapter';
import { createLock, fencedWrite } from '../src/index.js';
import { lockName, testPrefix, trackUnhandledRejections } from './helpers.js';

trackUnhandledRejections();

// Counted on the wire by a TCP proxy between the client and Redis, not by the client.
describe('round trips per operation (counted by a proxy on the wire)', () => {
  const prefix = testPrefix('rt');
  let proxy: RoundTripProxy;
  let client: RedisClient;
  let adapter: RedisAdapter;

  beforeAll(async () => {
    const url = new URL(getTopologies().standalone.url);
    proxy = await RoundTripProxy.start(url.hostname, Number(url.port));
    client = await connectClient(proxy.url);
    adapter = createRedisAdapter(client);
  });
  afterAll(async () => {
    await adapter.close();
    await client.close();
    await proxy.close();
  });

  const trips = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
    proxy.reset();
    const value = await fn();
    return [value, proxy.roundTrips];
  };

  it('acquire, re-entry, renew, release, a failed try and a fenced write are one round trip each', async () => {
    const name = lockName('rt');
    const lock = createLock(adapter, name, { prefix });
    const warm = await lock.acquire(); // every script in the server's cache first
    await warm.renew();
    await warm.release();
    await fencedWrite(adapter, `${prefix}:warm`, 1, {});

    const [held, acquireTrips] = await trips(() => lock.acquire());
    expect(acquireTrips).toBe(1);
    const [, tryTrips] = await trips(() => createLock(adapter, name, { prefix }).tryAcquire());
    expect(tryTrips).toBe(1);
    const [inner, reenterTrips] = await trips(() => held.run(() => lock.acquire()));
    expect(inner.reentered).toBe(true);
    expect(reenterTrips).toBe(1);
    const [, innerReleaseTrips] = await trips(() => inner.release());
    expect(innerReleaseTrips).toBe(0);
    const [, renewTrips] = await trips(() => held.renew());
    expect(renewTrips).toBe(1);
    const [, writeTrips] = await trips(() => fencedWrite(adapter, `${prefix}:{r}:res`, held.fencingToken, { a: '1', b: '2' }));
    expect(writeTrips).toBe(1);
    const [released, releaseTrips] = await trips(() => held.release());
    expect(released).toBe(true);
    expect(releaseTrips).toBe(1);
  });
});
