import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTopology, forEachTopology, type ClientFor, type Topology } from '@x/tooling/vitest';
import { createRedisAdapter, type RedisAdapter } from '@x/redis-adapter';
import {
  AbortError,
  InputTooLargeError,
  InvalidArgumentError,
  LOCK_EVENT_NAMES,
  LockLostError,
  LockNotHeldError,
  LockTimeoutError,
  UnknownOptionError,
  createLock,
  isAbortError,
  isLockLostError,
  isLockNotHeldError,
  isLockTimeoutError,
  lockKeys,
} from '../src/index.js';
import { lockName, testPrefix, trackUnhandledRejections } from './helpers.js';

trackUnhandledRejections();

/** Runs `fn` and returns what it threw (synchronously or by rejection); fails if it did not throw. */
async function thrown(fn: () => unknown): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('lock input checks without Redis', () => {
  it('createLock(undefined, name) throws; null stays the in-process lock', async () => {
    const err = await thrown(() => createLock(undefined as never, lockName('u')));
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err.message).toMatch(/null for an in-process lock/);
    expect(createLock(null, lockName('n')).kind).toBe('memory');
  });

  it('lock options: unknown keys throw UnknownOptionError with the nearest name', async () => {
    const err = (await thrown(() => createLock(null, lockName(), { ttl: 1000 } as never))) as UnknownOptionError;
    expect(err).toBeInstanceOf(UnknownOptionError);
    expect(err.code).toBe('ERR_UNKNOWN_OPTION');
    expect(err.suggestion).toBe('ttlMs');
    const err2 = (await thrown(() => createLock(null, lockName(), { timeout: 10 } as never))) as UnknownOptionError;
    expect(err2.suggestion).toBe('timeoutMs');
    // A typo whose value is undefined is caught too.
    expect(await thrown(() => createLock(null, lockName(), { autoRenw: undefined } as never))).toBeInstanceOf(UnknownOptionError);
    expect(await thrown(() => createLock(null, lockName(), [] as never))).toBeInstanceOf(InvalidArgumentError);
  });

  it('lock names are bounded by maxIdBytes (default 1024) and must be well-formed', async () => {
    expect(createLock(null, 'x'.repeat(1024)).name.length).toBe(1024);
    const err = (await thrown(() => createLock(null, 'x'.repeat(1025)))) as InputTooLargeError;
    expect(err).toBeInstanceOf(InputTooLargeError);
    expect(err.code).toBe('ERR_TOO_LARGE');
    expect(createLock(null, 'y'.repeat(2000), { maxIdBytes: 2000 }).name.length).toBe(2000);
    expect(await thrown(() => createLock(null, 'é'.repeat(6), { maxIdBytes: 11 }))).toBeInstanceOf(InputTooLargeError);
    expect(await thrown(() => createLock(null, ''))).toBeInstanceOf(InvalidArgumentError);
    expect(await thrown(() => createLock(null, 'a\ud800'))).toBeInstanceOf(InvalidArgumentError);
    expect(await thrown(() => createLock(null, 42 as never))).toBeInstanceOf(InvalidArgumentError);
    for (const bad of [0, -1, 1.5, '1024', 65_537]) {
      expect(await thrown(() => createLock(null, 'n', { maxIdBytes: bad as never }))).toBeInstanceOf(InvalidArgumentError);
    }
    expect(await thrown(() => createLock(null, 'n', { prefix: 'p'.repeat(1025) }))).toBeInstanceOf(InputTooLargeError);
  });

  it('error classes carry brands recognised by the exported guards', () => {
    const cases: [Error, (v: unknown) => boolean][] = [
      [new LockTimeoutError('n', 1), isLockTimeoutError],
      [new LockLostError('n', 1, 'not-owner'), isLockLostError],
      [new LockNotHeldError('n', 'm'), isLockNotHeldError],
      [new AbortError(), isAbortError],
    ];
    for (const [error, guard] of cases) {
      expect(guard(error)).toBe(true);
      for (const [, other] of cases) if (other !== guard) expect(other(error)).toBe(false);
      expect(guard(new Error(error.message))).toBe(false);
    }
    // A copy of the class from another copy of the package carries the same Symbol.for brand.
    const foreign = Object.defineProperty(new Error('x'), Symbol.for('@x/lock:LockLostError'), { value: true });
    expect(isLockLostError(foreign)).toBe(true);
    expect(foreign).toBeInstanceOf(LockLostError);
  });

  it('lock.on refuses unknown event names, naming the accepted ones', async () => {
    const lock = createLock(null, lockName('ev'));
    const err = await thrown(() => lock.on('aquired' as never, () => undefined));
    expect(err).toBeInstanceOf(InvalidArgumentError);
    for (const name of LOCK_EVENT_NAMES) expect(err.message).toContain(JSON.stringify(name));
    let seen = 0;
    const off = lock.on('acquired', () => seen++);
    await (await lock.acquire()).release();
    expect(seen).toBe(1);
    off();
  });
});

forEachTopology(['standalone', 'cluster'], (t: Topology) => {
  const prefix = testPrefix('strict');
  let client: ClientFor<Topology>;
  let adapter: RedisAdapter;
  let inspect: RedisAdapter;

  beforeAll(async () => {
    client = await connectTopology(t);
    adapter = createRedisAdapter(client);
    inspect = createRedisAdapter(await connectTopology(t));
  });
  afterAll(async () => {
    for await (const keys of inspect.scan({ match: `${prefix}:*` })) {
      for (const key of keys) await inspect.command({ command: ['DEL', key], keys: [key] });
    }
    await adapter.close();
    await inspect.close();
    await client.close();
  });

  const lockExists = (name: string) => {
    const key = lockKeys(prefix, name).lock;
    return inspect.command<number>({ command: ['EXISTS', key], keys: [key] });
  };

  it('acquire({ timeout }) throws UnknownOptionError suggesting timeoutMs instead of waiting forever', async () => {
    const name = lockName('acq');
    const holder = createLock(adapter, name, { prefix });
    const held = await holder.acquire();
    const waiter = createLock(adapter, name, { prefix });
    const err = (await thrown(() => waiter.acquire({ timeout: 1000 } as never))) as UnknownOptionError;
    expect(err).toBeInstanceOf(UnknownOptionError);
    expect(err.suggestion).toBe('timeoutMs');
    expect(err.message).toMatch(/acquire options/);
    expect(waiter.stats.attempts).toBe(0);
    await held.release();
    expect(await lockExists(name)).toBe(0);
  });

  it('withLock and tryAcquire options are strict too; nothing is sent', async () => {
    const name = lockName('wl');
    const lock = createLock(adapter, name, { prefix });
    let ran = false;
    const err = (await thrown(() => lock.withLock(() => (ran = true), { timeout: 5 } as never))) as UnknownOptionError;
    expect(err).toBeInstanceOf(UnknownOptionError);
    expect(err.suggestion).toBe('timeoutMs');
    expect(err.message).toMatch(/withLock options/);
    expect(ran).toBe(false);
    const err2 = await thrown(() => lock.tryAcquire({ timeoutMs: 10 } as never));
    expect(err2).toBeInstanceOf(UnknownOptionError);
    expect(err2.message).toMatch(/tryAcquire never waits/);
    expect(await thrown(() => lock.acquire('fast' as never))).toBeInstanceOf(InvalidArgumentError);
    expect(lock.stats.attempts).toBe(0);
    expect(await lockExists(name)).toBe(0);
    // Valid options still work.
    expect(await lock.withLock(() => 7, { timeoutMs: 1000 })).toBe(7);
    const held = await lock.tryAcquire({});
    expect(held).not.toBeNull();
    await held!.release();
  });

  it('an oversized lock name is refused before anything is sent; maxIdBytes raises the limit', async () => {
    const long = `big:${'z'.repeat(1100)}`;
    expect(await thrown(() => createLock(adapter, long, { prefix }))).toBeInstanceOf(InputTooLargeError);
    const lock = createLock(adapter, long, { prefix, maxIdBytes: 2048 });
    const held = await lock.acquire({ timeoutMs: 1000 });
    expect(await lockExists(long)).toBe(1);
    await held.release();
    expect(await lockExists(long)).toBe(0);
  });

  it('a timeout from Redis waiting is recognised by its guard', async () => {
    const name = lockName('guard');
    const holder = createLock(adapter, name, { prefix });
    const held = await holder.acquire();
    const err = await thrown(() => createLock(adapter, name, { prefix }).acquire({ timeoutMs: 0 }));
    expect(isLockTimeoutError(err)).toBe(true);
    expect((err as LockTimeoutError).code).toBe('ERR_LOCK_TIMEOUT');
    await held.release();
  });
});
