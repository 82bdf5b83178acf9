// The durability option on a master with one replica: appends resolve once the replica has
// them, and reject with DurabilityError while the replica is paused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, replicaOf } from '@x/tooling/redis';
import { randomPrefix, useStandalone } from '@x/tooling/vitest';
import { DurabilityError, RedisChatMessageHistory } from '../src/index.js';
import { humanMessage } from '../src/testing.js';

describe('durability option (a master and one replica)', () => {
  const master = useStandalone();
  const replica = useStandalone();
  const prefix = randomPrefix('durable');
  let history: RedisChatMessageHistory;
  const onReplica = () => adminQuery({ host: replica().host, port: replica().port }, ['LLEN', history.operations.keys.session(history.sessionId).messages]);

  beforeAll(async () => {
    await replicaOf({ host: replica().host, port: replica().port }, { host: master().host, port: master().port });
    // A generous timeout: a confirmation on a loaded machine can take a while; the paused case waits it out once.
    history = new RedisChatMessageHistory(master().url, { sessionId: 'durable', prefix, durability: { replicas: 1, timeoutMs: 5000 } });
  });
  afterAll(async () => {
    await history?.close();
  });

  it('appends resolve once the replica has them', async () => {
    await history.addMessages([humanMessage(1), humanMessage(2)]);
    expect(await onReplica()).toBe(2);
    await history.addMessage(humanMessage(3), { operationId: 'turn-3' });
    expect(await onReplica()).toBe(3);
  });

  it('with the replica paused, an append rejects with DurabilityError; it was applied on the master', async () => {
    const impatient = new RedisChatMessageHistory(master().url, { sessionId: 'durable', prefix, durability: { replicas: 1, timeoutMs: 300 } });
    process.kill(replica().pid!, 'SIGSTOP');
    let error: unknown;
    try {
      error = await impatient.addMessage(humanMessage(4)).catch((e: unknown) => e);
    } finally {
      await impatient.close();
      process.kill(replica().pid!, 'SIGCONT');
    }
    expect(error).toBeInstanceOf(DurabilityError);
    expect(error).toMatchObject({ code: 'ERR_DURABILITY', requested: 1, acknowledged: 0 });
    expect(await history.getMessages()).toHaveLength(4);
  });
});
