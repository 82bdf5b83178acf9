import { afterAll, expect, it } from 'vitest';
import { forEachTopology } from '@x/tooling/vitest';
import { historyFactory } from './helpers.js';
import { redisOf, startWorker } from './workers.js';

const until = async (check: () => boolean, what: string, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

forEachTopology(['standalone', 'cluster'], (t) => {
  const factory = historyFactory(t);
  afterAll(() => factory.close());

  it('4 processes running RunnableWithMessageHistory on one conversation lose nothing; each turn stays whole', async () => {
    const history = await factory.open();
    const workers = ['w0', 'w1', 'w2', 'w3'].map((label) =>
      startWorker({ redis: redisOf(t), prefix: factory.prefix, sessionId: history.sessionId, label, mode: 'turns', turns: 5 }),
    );
    for (const e of await Promise.all(workers.map((w) => w.exited))) expect(e, e.stderr).toMatchObject({ code: 0 });
    const messages = await history.getMessages();
    expect(messages).toHaveLength(4 * 5 * 2);
    for (let k = 0; k < messages.length; k += 2) {
      const [, label, i] = /^(w\d) question (\d)$/.exec(String(messages[k]!.content)) ?? [];
      expect(messages[k]!.getType()).toBe('human');
      expect(messages[k + 1]!.getType()).toBe('ai');
      expect(messages[k + 1]!.content).toBe(`${label} answer ${i}`);
    }
    for (const label of ['w0', 'w1', 'w2', 'w3']) {
      const order = messages.filter((m) => String(m.content).startsWith(`${label} question`)).map((m) => Number(String(m.content).slice(-1)));
      expect(order).toEqual([0, 1, 2, 3, 4]);
    }
  }, 60_000);

  it('a process killed while adding messages leaves only whole batches', async () => {
    const history = await factory.open();
    const worker = startWorker({ redis: redisOf(t), prefix: factory.prefix, sessionId: history.sessionId, label: 'k', mode: 'append-loop' });
    await until(() => worker.lines.length >= 20, 'the worker to add 20 batches');
    worker.child.kill('SIGKILL');
    expect((await worker.exited).signal).toBe('SIGKILL');
    const contents = (await history.getMessages()).map((m) => String(m.content));
    expect(contents.length % 4).toBe(0);
    expect(contents.length / 4).toBeGreaterThanOrEqual(20);
    contents.forEach((c, k) => expect(c).toBe(`k:${Math.floor(k / 4)}:${k % 4}`));
  }, 60_000);
});
