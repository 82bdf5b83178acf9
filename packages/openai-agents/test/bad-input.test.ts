import { afterAll, describe, expect, it } from 'vitest';
import { forEachTopology } from '@x/tooling/vitest';
import { InvalidArgumentError, MAX_ITEMS_PER_WRITE, MessageTooLargeError, RedisSession } from '../src/index.js';
import { userItem } from '../src/testing.js';
import { sessionFactory } from './helpers.js';

describe('options', () => {
  it('rejects unknown options, naming the accepted ones, and bad values, before connecting', () => {
    const make = (options: unknown) => () => new RedisSession('redis://127.0.0.1:1', options as never);
    expect(make({ maxMessages: 5 })).toThrow(/unknown option "maxMessages"\. Accepted: sessionId, prefix, maxItems, ttlMs/);
    for (const bad of [
      { sessionId: '' },
      { sessionId: 5 },
      { prefix: '' },
      { maxItems: -1 },
      { maxItems: 1.5 },
      { ttlMs: '1000' },
      { ttlMs: Number.NaN },
      { maxItemBytes: 0 },
      { onError: 'log' },
      'options',
    ]) {
      expect(make(bad), JSON.stringify(bad)).toThrow(InvalidArgumentError);
    }
  });
});

forEachTopology(['standalone', 'cluster'], (t) => {
  const factory = sessionFactory(t);
  afterAll(() => factory.close());

  it('refuses items it cannot store exactly before sending anything', async () => {
    const s = await factory.open({ maxItemBytes: 10_000 });
    await s.addItems([userItem(0)]);
    const sent = s.operations.redis.stats.commands;
    const cycle: Record<string, unknown> = { type: 'message', role: 'user', content: 'x' };
    cycle.self = cycle;
    const refused: unknown[][] = [
      [{ type: 'message', role: 'user', content: 'x', providerData: { at: new Date() } }],
      [{ type: 'message', role: 'user', content: 'x', providerData: { n: 10n } }],
      [{ type: 'message', role: 'user', content: 'x', providerData: { f: () => 1 } }],
      [{ type: 'message', role: 'user', content: 'x', providerData: { m: new Map() } }],
      [{ type: 'message', role: 'user', content: 'x', providerData: { a: new Float32Array(2) } }],
      [cycle],
      ['just a string'],
      [null],
      Array.from({ length: MAX_ITEMS_PER_WRITE + 1 }, (_, i) => userItem(i)),
    ];
    for (const items of refused) {
      await expect(s.addItems(items as never)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(
        s.applyHistoryTransaction({ operationId: 'x', transaction: { type: 'append_items', items: items as never } }),
      ).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(s.replaceHistoryWithCompaction(items as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    await expect(s.addItems([{ type: 'message', role: 'user', content: 'x'.repeat(20_000) }])).rejects.toBeInstanceOf(
      MessageTooLargeError,
    );
    await expect(s.addItems('items' as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(s.getItems(1.5)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(s.getItems(Number.NaN)).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(s.operations.redis.stats.commands).toBe(sent);
    expect(await s.getItems()).toEqual([userItem(0)]);
  });
});
