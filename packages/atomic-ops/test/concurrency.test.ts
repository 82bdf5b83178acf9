import { afterAll, expect, it } from 'vitest';
import { forEachTopology, randomPrefix } from '@x/tooling/vitest';
import type { AtomicOperations } from '../src/index.js';
import { closeAll, openOps, sessionId, type Closable } from './helpers.js';

const CLIENTS = 32;
const APPENDS = 500;
const WINDOW = 1000;

forEachTopology(['standalone', 'cluster'], (t) => {
  const closers: Closable[] = [];
  afterAll(() => closeAll(closers));

  it(`${CLIENTS} clients x ${APPENDS} appends to one session lose nothing and keep each client's order`, async () => {
    const prefix = randomPrefix('atomic-ops-concurrency');
    // One connection per client.
    const clients: AtomicOperations[] = [];
    for (let c = 0; c < CLIENTS; c++) clients.push(await openOps(t, closers, { prefix }));
    const id = sessionId('busy');
    // countOf[c][i]: the count appendMessage returned for client c's i-th message.
    const countOf: number[][] = clients.map(() => []);
    await Promise.all(
      clients.map(async (ops, c) => {
        for (let i = 0; i < APPENDS; i++) {
          countOf[c]!.push(await ops.appendMessage(id, { role: 'user', c, i }, { maxMessages: WINDOW }));
        }
      }),
    );
    const total = CLIENTS * APPENDS;
    // Every append got its own count: the increments were atomic and none was lost.
    const all = countOf.flat().sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: total }, (_, k) => k + 1));
    // A client's counts grow with its own order.
    for (const counts of countOf) for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeGreaterThan(counts[i - 1]!);

    const ops = clients[0]!;
    expect(await ops.getSession(id)).toMatchObject({ messageCount: total, storedMessages: WINDOW });
    const window = (await ops.getMessages(id)) as unknown as { c: number; i: number }[];
    expect(window).toHaveLength(WINDOW);
    // The window is exactly the last WINDOW appends, in the order the counts say.
    const expected: { c: number; i: number }[] = [];
    countOf.forEach((counts, c) =>
      counts.forEach((count, i) => {
        if (count > total - WINDOW) expected[count - (total - WINDOW) - 1] = { c, i };
      }),
    );
    expect(window.map(({ c, i }) => ({ c, i }))).toEqual(expected);
    await ops.deleteSession(id);
  });

  it('concurrent records and appends from many clients add up exactly', async () => {
    const prefix = randomPrefix('atomic-ops-mixed');
    const clients: AtomicOperations[] = [];
    for (let c = 0; c < 8; c++) clients.push(await openOps(t, closers, { prefix }));
    const id = sessionId('mixed');
    await Promise.all(
      clients.map(async (ops, c) => {
        for (let i = 0; i < 50; i++) {
          if (i % 2 === 0) {
            await ops.appendMessage(id, { role: 'user', c, i }, { maxMessages: 0, operationId: `a-${c}-${i}` });
          } else {
            await ops.recordResponse({
              sessionId: id,
              queryHash: `q-${c}-${i}`,
              response: i,
              userMessage: { role: 'user', c, i },
              assistantMessage: { role: 'assistant', c, i },
              inputTokens: 3,
              outputTokens: 2,
              latencyMs: 1.5,
              maxMessages: 0,
              operationId: `r-${c}-${i}`,
            });
          }
          // Every call retried once: retries must not count.
          if (i % 10 === 0) await ops.appendMessage(id, { role: 'user', c, i }, { maxMessages: 0, operationId: `a-${c}-${i}` });
        }
      }),
    );
    const responses = 8 * 25;
    expect(await clients[0]!.getSession(id)).toMatchObject({
      messageCount: 8 * 25 + responses * 2,
      storedMessages: 8 * 25 + responses * 2,
      responses,
      inputTokens: responses * 3,
      outputTokens: responses * 2,
      totalLatencyMs: responses * 1.5,
    });
    const messages = (await clients[0]!.getMessages(id)) as unknown as { c: number; i: number; role: string }[];
    for (let c = 0; c < 8; c++) {
      const mine = messages.filter((m) => m.c === c);
      expect(mine.map((m) => `${m.i}${m.role}`)).toEqual(
        Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? [`${i}user`] : [`${i}user`, `${i}assistant`])).flat(),
      );
    }
  });
});
