import { afterAll, describe, expect, it } from 'vitest';
import { HumanMessage } from '@langchain/core/messages';
import { forEachTopology } from '@x/tooling/vitest';
import { InvalidArgumentError, MessageTooLargeError, RedisChatMessageHistory } from '../src/index.js';
import { describeMessage, humanMessage } from '../src/testing.js';
import { historyFactory } from './helpers.js';

describe('options', () => {
  it('rejects a missing sessionId, unknown options (naming the accepted ones) and bad values, before connecting', () => {
    const make = (options: unknown) => () => new RedisChatMessageHistory('redis://127.0.0.1:1', options as never);
    expect(make({ sessionId: 's', sessionTTL: 5 })).toThrow(/unknown option "sessionTTL"\. Accepted: sessionId, prefix, maxMessages, ttlMs/);
    for (const bad of [undefined, {}, { sessionId: '' }, { sessionId: 's', prefix: '' }, { sessionId: 's', maxMessages: -1 }, { sessionId: 's', ttlMs: 1.5 }, { sessionId: 's', maxMessageBytes: 0 }, { sessionId: 's', onError: 1 }]) {
      expect(make(bad), JSON.stringify(bad)).toThrow(InvalidArgumentError);
    }
  });
});

forEachTopology(['standalone', 'cluster'], (t) => {
  const factory = historyFactory(t);
  afterAll(() => factory.close());

  it('refuses messages it cannot store exactly, and whole batches with them, before sending anything', async () => {
    const h = await factory.open({ maxMessageBytes: 10_000 });
    await h.addMessage(humanMessage(0));
    const sent = h.operations.redis.stats.commands;
    const refused: unknown[][] = [
      [humanMessage(1), new HumanMessage({ content: 'x', additional_kwargs: { n: 10n } as never })],
      [new HumanMessage({ content: 'x', additional_kwargs: { v: Number.NaN } })],
      [{ role: 'user', content: 'a plain object is not a LangChain message' }],
      [null],
      Array.from({ length: 1001 }, (_, i) => humanMessage(i)),
    ];
    for (const batch of refused) {
      await expect(h.addMessages(batch as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    await expect(h.addMessage(new HumanMessage('x'.repeat(20_000)))).rejects.toBeInstanceOf(MessageTooLargeError);
    await expect(h.addMessages('messages' as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(h.operations.redis.stats.commands).toBe(sent);
    expect((await h.getMessages()).map(describeMessage)).toEqual([describeMessage(humanMessage(0))]);
  });
});
