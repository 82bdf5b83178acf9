import { expect, it } from 'vitest';
import { getTopologies } from '@x/tooling/vitest';
import { ClosedError, createLock, isClosedError } from '../src/index.js';
import { lockName, testPrefix, trackUnhandledRejections, until } from './helpers.js';

trackUnhandledRejections();

// A lock opened from one cluster node's URL: the adapter learns at connect that the server is a
// cluster node and connects to the cluster; the lock must announce hand-offs with SPUBLISH then
// (it reads the topology after adapter.ready()), or its waiters only hear of them from the
// fallback refresh.
//
// The first wait of a process subscribes after its entry is queued and then looks once (a
// hand-off announced before the subscription was live reached nobody); on a loaded machine
// that look can find the lock already handed over and claim it. So the second wait, made while
// the subscription is live (it lingers 2 s after the last waiter), is the one measured: the
// regular refresh is 2 s away and the lease 30 s, so only an announcement hands it over at once.
it('a lock made from a cluster node URL hands off through sharded pub/sub, and close() ends its connection', async () => {
  const url = getTopologies().cluster.rootNodes[0]!.url;
  const prefix = testPrefix('from-url');
  const name = lockName('url');
  const holder = createLock(url, name, { prefix, ttlMs: 30_000 });
  const waiter = createLock(url, name, { prefix, ttlMs: 30_000 });
  const handOff = async (waits: number) => {
    const held = await holder.acquire({ timeoutMs: 10_000 });
    const waiting = waiter.acquire({ timeoutMs: 20_000 });
    await until(() => waiter.stats.waits === waits, 'the waiter queued');
    await held.release();
    const handedOff = await waiting;
    expect(handedOff.fencingToken).toBeGreaterThan(held.fencingToken);
    await handedOff.release();
  };
  try {
    await handOff(1);
    const { fallbackRetries, resyncRetries, attempts } = waiter.stats;
    await handOff(2);
    expect(waiter.stats.fallbackRetries - fallbackRetries).toBe(0);
    expect(waiter.stats.resyncRetries - resyncRetries).toBe(0);
    expect(waiter.stats.attempts - attempts).toBe(1);
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
