import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTopologies, randomPrefix } from '@x/tooling/vitest';
import { RoundTripProxy } from '@x/tooling/proxy';
import { connectClient, type RedisClient } from '@x/tooling/redis';
import { RedisChatMessageHistory } from '../src/index.js';
import { describeMessage, humanMessage, sampleMessages } from '../src/testing.js';
import { sessionId } from './helpers.js';

// Counted on the wire by a TCP proxy between the client and Redis, not by the client.
describe('round trips per operation (counted by a proxy on the wire)', () => {
  let proxy: RoundTripProxy;
  let client: RedisClient;

  beforeAll(async () => {
    const url = new URL(getTopologies().standalone.url);
    proxy = await RoundTripProxy.start(url.hostname, Number(url.port));
    client = await connectClient(proxy.url);
  });
  afterAll(async () => {
    await client.close();
    await proxy.close();
  });

  const trips = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
    proxy.reset();
    const value = await fn();
    return [value, proxy.roundTrips];
  };

  it('addMessages of 7 messages, addMessage, getMessages and clear are one round trip each', async () => {
    const h = new RedisChatMessageHistory(client, { prefix: randomPrefix('langchain-rt'), sessionId: sessionId(), maxMessages: 100, ttlMs: 60_000 });
    await h.addMessage(humanMessage(0)); // the script into the server's cache first
    await h.clear();
    expect((await trips(() => h.addMessages(sampleMessages())))[1]).toBe(1);
    expect((await trips(() => h.addMessage(humanMessage(1))))[1]).toBe(1);
    const [messages, readTrips] = await trips(() => h.getMessages());
    expect(messages.map(describeMessage)).toEqual([...sampleMessages(), humanMessage(1)].map(describeMessage));
    expect(readTrips).toBe(1);
    expect((await trips(() => h.clear()))[1]).toBe(1);
    expect((await trips(() => h.addMessages([])))[1]).toBe(0);
  });
});
