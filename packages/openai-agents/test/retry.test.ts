// The retry option while the server loads its data (every command refused with LOADING):
// reads and writes with an operation id are retried; the SDK's id-less writes are not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whileLoading } from '@x/tooling/redis';
import { randomPrefix, useStandalone } from '@x/tooling/vitest';
import { RedisSession, isRetryable } from '../src/index.js';
import { userItem } from '../src/testing.js';

describe('retry option', () => {
  const server = useStandalone();
  let session: RedisSession;

  beforeAll(async () => {
    session = new RedisSession(server().url, {
      prefix: randomPrefix('retry'),
      sessionId: 'loading',
      retry: { attempts: 100, baseDelayMs: 20, maxDelayMs: 200, deadlineMs: 30_000 },
    });
    await session.addItems([userItem(1)]);
  });
  afterAll(async () => {
    await session?.close();
  });

  it('while the server loads, getItems and writes with an id ride it out; addItems without an id fails after one try', { timeout: 60_000 }, async () => {
    let idLess: unknown;
    let idLessCommands = -1;
    let results: unknown[] = [];
    await whileLoading({ host: server().host, port: server().port }, async () => {
      const before = session.operations.redis.stats.commands;
      idLess = await session.addItems([userItem('no-id')]).catch((e: unknown) => e);
      idLessCommands = session.operations.redis.stats.commands - before;
      results = await Promise.all([
        session.addItems([userItem(2)], { operationId: 'turn-2' }),
        session.getItems(),
        session.popItem({ operationId: 'pop-1' }),
      ]);
    });
    expect(isRetryable(idLess)).toBe(true);
    expect(String((idLess as Error).message)).toMatch(/LOADING/);
    expect(idLessCommands).toBe(1);
    // Item 1 and item 2 were stored once each, one of them popped; the id-less item never was.
    const [popped] = [results[2]];
    const left = await session.getItems();
    const contents = (items: unknown[]) => items.map((i) => (i as { content: string }).content).sort();
    expect(contents([...left, popped])).toEqual(contents([userItem(1), userItem(2)]));
  });

  it('rejects a bad policy with the shared validator', () => {
    expect(() => new RedisSession(server().url, { retry: { tries: 3 } as never })).toThrow(/attempts/);
    expect(() => new RedisSession(server().url, { retry: 'yes' as never })).toThrow(/retry must be/);
  });
});
