// The retry option while the server loads its data (every command refused with LOADING):
// getMessages and appends with an operation id are retried; LangChain's id-less appends are not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whileLoading } from '@x/tooling/redis';
import { randomPrefix, useStandalone } from '@x/tooling/vitest';
import { RedisChatMessageHistory, isRetryable } from '../src/index.js';
import { humanMessage } from '../src/testing.js';

describe('retry option', () => {
  const server = useStandalone();
  let history: RedisChatMessageHistory;

  beforeAll(async () => {
    history = new RedisChatMessageHistory(server().url, {
      prefix: randomPrefix('retry'),
      sessionId: 'loading',
      retry: { attempts: 100, baseDelayMs: 20, maxDelayMs: 200, deadlineMs: 30_000 },
    });
    await history.addMessage(humanMessage(1));
  });
  afterAll(async () => {
    await history?.close();
  });

  it('while the server loads, reads and appends with an id ride it out; an append without an id fails after one try', { timeout: 60_000 }, async () => {
    let idLess: unknown;
    let idLessCommands = -1;
    let read: unknown[] = [];
    await whileLoading({ host: server().host, port: server().port }, async () => {
      const before = history.operations.redis.stats.commands;
      idLess = await history.addMessage(humanMessage('no-id')).catch((e: unknown) => e);
      idLessCommands = history.operations.redis.stats.commands - before;
      [, read] = await Promise.all([history.addMessage(humanMessage(2), { operationId: 'turn-2' }), history.getMessages()]);
    });
    expect(isRetryable(idLess)).toBe(true);
    expect(String((idLess as Error).message)).toMatch(/LOADING/);
    expect(idLessCommands).toBe(1);
    expect(read.length).toBeGreaterThanOrEqual(1);
    expect((await history.getMessages()).map((m) => m.content)).toEqual([humanMessage(1).content, humanMessage(2).content]);
  });

  it('rejects a bad policy with the shared validator', () => {
    expect(() => new RedisChatMessageHistory(server().url, { sessionId: 's', retry: { tries: 3 } as never })).toThrow(/attempts/);
  });
});
