import { afterAll, expect, it } from 'vitest';
import { forEachTopology } from '@x/tooling/vitest';
import { sessionFactory } from './helpers.js';
import { redisOf, startWorker } from './workers.js';

type Item = { type: string; role?: string; content?: unknown; callId?: string };

forEachTopology(['standalone', 'cluster'], (t) => {
  const factory = sessionFactory(t);
  afterAll(() => factory.close());

  it('4 processes running agents on one session at once lose nothing; every run stays whole and in order', async () => {
    const session = await factory.open();
    const workers = ['w0', 'w1', 'w2', 'w3'].map((label) =>
      startWorker({ redis: redisOf(t), prefix: factory.prefix, sessionId: session.sessionId, label, mode: 'runs', runs: 5 }),
    );
    const exits = await Promise.all(workers.map((w) => w.exited));
    for (const e of exits) expect(e, e.stderr).toMatchObject({ code: 0 });

    const items = (await session.getItems()) as Item[];
    // Each run writes its 4 items (question, tool call, tool result, answer) in one call.
    expect(items).toHaveLength(4 * 5 * 4);
    const seen = new Set<string>();
    for (let k = 0; k < items.length; k += 4) {
      const [question, call, result, answer] = items.slice(k, k + 4);
      const [, label, i] = /^(w\d) question (\d)$/.exec(String(question!.content)) ?? [];
      expect(label, JSON.stringify(question)).toBeDefined();
      expect(call).toMatchObject({ type: 'function_call', callId: `${label}-call-${i}` });
      expect(result).toMatchObject({ type: 'function_call_result', callId: `${label}-call-${i}` });
      expect(answer).toMatchObject({ type: 'message', role: 'assistant' });
      expect(JSON.stringify(answer!.content)).toContain(`${label} answer ${i}`);
      seen.add(`${label}/${i}`);
    }
    expect(seen.size).toBe(20);
    // Each process's runs are in its own order.
    for (const label of ['w0', 'w1', 'w2', 'w3']) {
      const order = items
        .filter((x) => x.role === 'user' && String(x.content).startsWith(`${label} `))
        .map((x) => Number(String(x.content).slice(-1)));
      expect(order).toEqual([0, 1, 2, 3, 4]);
    }
  }, 60_000);
});
