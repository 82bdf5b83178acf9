// The durability option on a master with one replica: writes resolve once the replica has
// them, and reject with DurabilityError while the replica is paused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, replicaOf } from '@x/tooling/redis';
import { randomPrefix, useStandalone } from '@x/tooling/vitest';
import { DurabilityError, RedisSession } from '../src/index.js';
import { userItem } from '../src/testing.js';

describe('durability option (a master and one replica)', () => {
  const master = useStandalone();
  const replica = useStandalone();
  const prefix = randomPrefix('durable');
  let session: RedisSession;
  const onReplica = () => adminQuery({ host: replica().host, port: replica().port }, ['LLEN', session.operations.keys.session(session.sessionId).messages]);

  beforeAll(async () => {
    await replicaOf({ host: replica().host, port: replica().port }, { host: master().host, port: master().port });
    // A generous timeout: a confirmation on a loaded machine can take a while; the paused case waits it out once.
    session = new RedisSession(master().url, { prefix, durability: { replicas: 1, timeoutMs: 5000 } });
  });
  afterAll(async () => {
    await session?.close();
  });

  it('addItems, popItem and the history writes resolve once the replica has them', async () => {
    await session.addItems([userItem(1), userItem(2)]);
    expect(await onReplica()).toBe(2);
    await session.popItem();
    expect(await onReplica()).toBe(1);
    await session.applyHistoryTransaction({ operationId: 'tx', transaction: { type: 'append_items', items: [userItem(3)] } });
    expect(await onReplica()).toBe(2);
    await session.replaceHistoryWithCompaction([userItem('summary')]);
    expect(await onReplica()).toBe(1);
  });

  it('with the replica paused, a write rejects with DurabilityError; it was applied on the master', async () => {
    const impatient = new RedisSession(master().url, { prefix, sessionId: session.sessionId, durability: { replicas: 1, timeoutMs: 300 } });
    process.kill(replica().pid!, 'SIGSTOP');
    let error: unknown;
    try {
      error = await impatient.addItems([userItem('late')]).catch((e: unknown) => e);
    } finally {
      await impatient.close();
      process.kill(replica().pid!, 'SIGCONT');
    }
    expect(error).toBeInstanceOf(DurabilityError);
    expect(error).toMatchObject({ code: 'ERR_DURABILITY', requested: 1, acknowledged: 0 });
    expect(await session.getItems()).toEqual([userItem('summary'), userItem('late')]);
  });
});
