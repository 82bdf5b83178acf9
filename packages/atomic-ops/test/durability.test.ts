// The durability option on a master with one replica: every write waits for the
// replica (WAIT behind the script, same round trip), and fails with DurabilityError
// when the replica is paused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, replicaOf } from '@x/tooling/redis';
import { randomPrefix, useStandalone } from '@x/tooling/vitest';
import { AtomicOperations, DurabilityError, InvalidArgumentError, isRetryable } from '../src/index.js';

describe('durability option (a master and one replica)', () => {
  const master = useStandalone();
  const replica = useStandalone();
  const at = (s: () => { host: string; port: number }) => ({ host: s().host, port: s().port });
  const prefix = randomPrefix('durable');
  let ops: AtomicOperations;

  beforeAll(async () => {
    await replicaOf(at(replica), at(master));
    // A generous timeout: a confirmation on a loaded machine can take a while. The paused cases use short ones.
    ops = new AtomicOperations(master().url, { prefix, durability: { replicas: 1, timeoutMs: 5000 } });
  });
  afterAll(async () => {
    await ops?.close();
  });

  /** Runs `body` with the replica's process stopped (SIGSTOP), then lets it go on. */
  async function whileReplicaPaused<T>(body: () => Promise<T>): Promise<T> {
    process.kill(replica().pid!, 'SIGSTOP');
    try {
      return await body();
    } finally {
      process.kill(replica().pid!, 'SIGCONT');
    }
  }

  it('is checked by the shared validator before anything is sent', () => {
    for (const durability of [{}, { replicas: 0 }, { replicas: '1' }, { replicas: 1, timeoutMs: 0 }, { replicas: 1, timeout: 5 }, true]) {
      expect(() => new AtomicOperations(master().url, { durability: durability as never }), JSON.stringify(durability)).toThrow(InvalidArgumentError);
    }
  });

  it('every write resolves once the replica has it', async () => {
    const id = 'confirmed';
    const messagesKey = ops.keys.session(id).messages;
    const onReplica = async () => (await adminQuery(at(replica), ['LLEN', messagesKey])) as number;
    await ops.appendMessage(id, { role: 'user', n: 1 });
    expect(await onReplica()).toBe(1); // read from the replica right after the append resolved
    await ops.appendMessages(id, [{ role: 'user', n: 2 }, { role: 'user', n: 3 }], { operationId: 'two' });
    expect(await onReplica()).toBe(3);
    await ops.recordResponse({ sessionId: id, queryHash: 'q', response: 'r', assistantMessage: { role: 'assistant' } });
    expect(await onReplica()).toBe(4);
    await ops.replaceMessages({ sessionId: id, messages: [{ role: 'user', n: 9 }] });
    expect(await onReplica()).toBe(1);
    await ops.popMessage(id);
    expect(await onReplica()).toBe(0);
    const { token } = await ops.handoff({ sessionId: id, fromAgent: 'a', toAgent: 'b' });
    expect(await adminQuery(at(replica), ['EXISTS', ops.keys.session(id).lock])).toBe(1);
    await ops.releaseHandoffLock(id, token);
  });

  it('with the replica paused, writes reject with DurabilityError (retryable); the write was applied on the master', async () => {
    const id = 'unconfirmed';
    const impatient = new AtomicOperations(master().url, { prefix, durability: { replicas: 1, timeoutMs: 300 } });
    const errors = await whileReplicaPaused(() =>
      Promise.all([
        impatient.appendMessage(id, { role: 'user', n: 1 }).catch((e: unknown) => e),
        impatient.recordResponse({ sessionId: id, queryHash: 'q2', response: 'r', assistantMessage: { role: 'assistant' } }).catch((e: unknown) => e),
        impatient.handoff({ sessionId: id, fromAgent: 'a', toAgent: 'b' }).catch((e: unknown) => e),
        impatient.popMessage('other-session', { operationId: 'p' }).catch((e: unknown) => e),
      ]),
    );
    await impatient.close();
    for (const error of errors) {
      expect(error).toBeInstanceOf(DurabilityError);
      expect(error).toMatchObject({ code: 'ERR_DURABILITY', requested: 1, acknowledged: 0 });
      expect(isRetryable(error)).toBe(true);
    }
    expect(await ops.getSession(id)).toMatchObject({ messageCount: 2, currentAgent: 'b', handoffLocked: true });
  });

  it('with a retry policy, a write with an operation id is retried and waits again, applied once; one without an id is not retried', { timeout: 30_000 }, async () => {
    const retrying = new AtomicOperations(master().url, {
      prefix,
      durability: { replicas: 1, timeoutMs: 200 },
      retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    });
    try {
      const id = 'retried';
      let withId = 0;
      let withoutId = 0;
      await whileReplicaPaused(async () => {
        const before = retrying.redis.stats.commands;
        await expect(retrying.appendMessage(id, { role: 'user', n: 1 }, { operationId: 'once' })).rejects.toBeInstanceOf(DurabilityError);
        withId = retrying.redis.stats.commands - before;
        await expect(retrying.appendMessage(id, { role: 'user', n: 2 })).rejects.toBeInstanceOf(DurabilityError);
        withoutId = retrying.redis.stats.commands - before - withId;
      });
      expect(withId).toBe(6); // three tries of script + WAIT
      expect(withoutId).toBe(2); // one try
      expect(await retrying.getMessages(id)).toEqual([{ role: 'user', n: 1 }, { role: 'user', n: 2 }]);
      // Once the replica is back, the retry with the same id is confirmed and writes nothing more.
      expect(await ops.appendMessage(id, { role: 'user', n: 1 }, { operationId: 'once' })).toBe(1);
      expect(await ops.getMessages(id)).toHaveLength(2);
    } finally {
      await retrying.close();
    }
  });
});
