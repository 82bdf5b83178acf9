import { afterAll, expect, it } from 'vitest';
import { forEachTopology } from '@x/tooling/vitest';
import { OperationIdConflictError, type RedisSession } from '../src/index.js';
import { userItem } from '../src/testing.js';
import { echoAgent } from './agent.js';
import { sessionFactory } from './helpers.js';
import { redisOf, startWorker } from './workers.js';

const until = async (check: () => boolean, what: string, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

forEachTopology(['standalone', 'cluster'], (t) => {
  const factory = sessionFactory(t);
  afterAll(() => factory.close());

  const firstRun = async (session: RedisSession) => {
    const { agent, runner } = echoAgent('first', 1);
    await runner.run(agent, 'first question 0', { session });
    return session.getItems();
  };

  it('a process killed in the middle of a run leaves the history of the runs before it, and the next run goes on from there', async () => {
    const session = await factory.open();
    const before = await firstRun(session);
    expect(before).toHaveLength(4);

    const worker = startWorker({ redis: redisOf(t), prefix: factory.prefix, sessionId: session.sessionId, label: 'doomed', mode: 'hang-in-tool' });
    await until(() => worker.lines.some((l) => l.event === 'in-tool'), 'the worker to enter its tool');
    worker.child.kill('SIGKILL');
    expect((await worker.exited).signal).toBe('SIGKILL');
    // The run writes once, at its end: nothing of the killed run is stored, nothing half-written.
    expect(await session.getItems()).toEqual(before);

    const { agent, runner, model } = echoAgent('next', 1);
    await runner.run(agent, 'next question 0', { session });
    expect(model.calls[0]!.request.input).toEqual([...before, { type: 'message', role: 'user', content: 'next question 0' }]);
    expect(await session.getItems()).toHaveLength(8);
  }, 60_000);

  it('a process killed while appending leaves only whole writes', async () => {
    const session = await factory.open();
    const worker = startWorker({ redis: redisOf(t), prefix: factory.prefix, sessionId: session.sessionId, label: 'k', mode: 'append-loop' });
    await until(() => worker.lines.length >= 20, 'the worker to append 20 times');
    worker.child.kill('SIGKILL');
    await worker.exited;
    const items = (await session.getItems()) as { content: string }[];
    expect(items.length % 4).toBe(0);
    expect(items.length / 4).toBeGreaterThanOrEqual(20);
    items.forEach((item, k) => expect(item.content).toBe(`k:${Math.floor(k / 4)}:${k % 4}`));
  }, 60_000);

  it('a transaction retried after a lost reply (from another connection, at the same time) is applied once', async () => {
    const session = await factory.open();
    const retry = await factory.open({ sessionId: session.sessionId });
    await session.addItems([userItem(0)]);
    const args = { operationId: 'run-1:1:blocked_append:0:2', transaction: { type: 'append_items' as const, items: [userItem(1), userItem(2)] } };
    await Promise.all([session.applyHistoryTransaction(args), retry.applyHistoryTransaction(args), retry.applyHistoryTransaction(args)]);
    expect(await session.getItems()).toEqual([0, 1, 2].map(userItem));
    await expect(
      retry.applyHistoryTransaction({ ...args, transaction: { type: 'append_items', items: [userItem(9)] } }),
    ).rejects.toBeInstanceOf(OperationIdConflictError);
    expect(await session.getItems()).toEqual([0, 1, 2].map(userItem));
  });
});
