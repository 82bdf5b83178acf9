import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTopologies, randomPrefix } from '@x/tooling/vitest';
import { RoundTripProxy } from '@x/tooling/proxy';
import { connectClient, type RedisClient } from '@x/tooling/redis';
import { RedisSession } from '../src/index.js';
import { sampleItems, userItem } from '../src/testing.js';
import { echoAgent } from './agent.js';
import { sessionId } from './helpers.js';

// Counted on the wire by a TCP proxy between the client and Redis, not by the client.
describe('round trips per operation (counted by a proxy on the wire)', () => {
  let proxy: RoundTripProxy;
  let client: RedisClient;
  const prefix = randomPrefix('openai-agents-rt');

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

  const warm = async (s: RedisSession) => {
    // Every script into the server's cache first (a cold EVALSHA costs one NOSCRIPT + EVAL).
    await s.addItems([userItem(0)]);
    await s.popItem();
    await s.applyHistoryTransaction({ operationId: 'warm', transaction: { type: 'append_items', items: [] } });
    await s.clearSession();
  };

  it('getItems, getItems(limit), addItems, popItem, clearSession, both transactions and the compaction replace: one each', async () => {
    const s = new RedisSession(client, { prefix, sessionId: sessionId(), maxItems: 100, ttlMs: 60_000 });
    await warm(s);
    expect((await trips(() => s.addItems(sampleItems())))[1]).toBe(1);
    const [all, readTrips] = await trips(() => s.getItems());
    expect(all).toEqual(sampleItems());
    expect(readTrips).toBe(1);
    const [last, lastTrips] = await trips(() => s.getItems(2));
    expect(last).toEqual(sampleItems().slice(-2));
    expect(lastTrips).toBe(1);
    expect((await trips(() => s.popItem()))[1]).toBe(1);
    const append = { operationId: 'rt-1', transaction: { type: 'append_items' as const, items: [userItem(1)] } };
    expect((await trips(() => s.applyHistoryTransaction(append)))[1]).toBe(1);
    expect((await trips(() => s.applyHistoryTransaction(append)))[1]).toBe(1); // the retry
    const replace = {
      operationId: 'rt-2',
      transaction: { type: 'replace_suffix' as const, expectedSuffix: [userItem(1)], replacement: [userItem(2)] },
    };
    expect((await trips(() => s.applyHistoryTransaction(replace)))[1]).toBe(1);
    const compaction = [{ type: 'compaction', encrypted_content: 'x' } as never, userItem(3)];
    expect((await trips(() => s.replaceHistoryWithCompaction(compaction)))[1]).toBe(1);
    expect((await trips(() => s.clearSession()))[1]).toBe(1);
    // Nothing to write, nothing sent.
    expect((await trips(() => s.addItems([])))[1]).toBe(0);
  });

  it('an agent run with a tool call is two round trips: one read of the history, one write of the new items', async () => {
    const s = new RedisSession(client, { prefix, sessionId: sessionId(), ttlMs: 60_000 });
    await warm(s);
    const { agent, runner } = echoAgent('rt', 2);
    expect((await trips(() => runner.run(agent, 'q0', { session: s })))[1]).toBe(2);
    expect((await trips(() => runner.run(agent, 'q1', { session: s })))[1]).toBe(2);
    expect(await s.getItems()).toHaveLength(8);
    await s.clearSession();
  });
});
