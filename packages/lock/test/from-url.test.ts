import { expect, it } from 'vitest';
import { getTopologies } from '@x/tooling/vitest';
import { ClosedError, createLock, isClosedError } from '../src/index.js';
import { lockName, testPrefix, trackUnhandledRejections, until } from './helpers.js';

trackUnhandledRejections();

// A lock opened from one cluster node's URL: the adapter learns at connect that the server is a
// cluster node and connects to the cluster; the lock must announce hand-offs with SPUBLISH then
// (it reads the topology after adapter.ready()), or its waiters only hear of them from the
// fallback refresh.
it('a lock made from a cluster node URL hands off through sharded pub/sub, and close() ends its connection', async () => {
  const url = getTopologies().cluster.rootNodes[0]!.url;
  const prefix = testPrefix('from-url');
  const name = lockName('url');
  const holder = createLock(url, name, { prefix, ttlMs: 30_000 });
  const waiter = createLock(url, name, { prefix, ttlMs: 30_000 });
  try {
    const held = await holder.acquire({ timeoutMs: 10_000 });
    const waiting = waiter.acquire({ timeoutMs: 20_000 });
    await until(() => waiter.stats.waits === 1, 'the waiter queued');
    await held.release();
    const handedOff = await waiting;
    expect(handedOff.fencingToken).toBeGreaterThan(held.fencingToken);
    expect(waiter.stats.fallbackRetries).toBe(0);
    expect(waiter.stats.attempts).toBe(1);
    await handedOff.release();
  } finally {
    await holder.close();
    await waiter.close();
  }
  const after = await waiter.acquire({ timeoutMs: 0 }).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(after).toBeInstanceOf(ClosedError);
  expect(isClosedError(after)).toBe(true);
  expect((after as ClosedError).code).toBe('ERR_CLOSED');
  expect((after as Error).message).toContain(`Lock ${JSON.stringify(name)} is closed`);
});
