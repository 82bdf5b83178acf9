import { describe, expect, it } from 'vitest';
import { describeSharedBackendConformance } from '../src/testing.js';
import { InMemoryBackend, InMemoryStore, InvalidArgumentError, ManualClock } from '../src/index.js';

// The in-memory backend on a manual clock: TTL tests move the clock instead of waiting.
{
  const clock = new ManualClock();
  const stores = new Map<string, InMemoryStore>();
  describeSharedBackendConformance(
    { describe, it, expect },
    {
      name: 'InMemoryBackend',
      clock,
      create: ({ prefix, ttlMs }) => {
        let store = stores.get(prefix);
        if (store === undefined) stores.set(prefix, (store = new InMemoryStore({ clock: clock.now })));
        return new InMemoryBackend({ store, ttlMs });
      },
    },
  );
}

// The same suite in real time (Date.now), as the default backend runs in production.
describeSharedBackendConformance(
  { describe, it, expect },
  {
    name: 'InMemoryBackend (real clock)',
    realTimeTtlMs: 300,
    create: (() => {
      const stores = new Map<string, InMemoryStore>();
      return ({ prefix, ttlMs }) => {
        let store = stores.get(prefix);
        if (store === undefined) stores.set(prefix, (store = new InMemoryStore()));
        return new InMemoryBackend({ store, ttlMs });
      };
    })(),
  },
);

describe('InMemoryBackend specifics', () => {
  it('expires lazily on access and sweep() reclaims entries nobody touches', async () => {
    const clock = new ManualClock();
    const backend = new InMemoryBackend({ ttlMs: 100, clock: clock.now });
    await backend.bufferAppend('a', 'x');
    await backend.bufferAppend('b', 'x');
    await backend.registrySet('c', 'u');
    clock.advance(101);
    expect(backend.store.threads.size).toBe(2); // nothing touched them yet
    expect(await backend.bufferThreadExists('a')).toBe(false);
    expect(backend.store.threads.size).toBe(1); // 'a' removed on access
    expect(backend.sweep()).toEqual({ threads: 1, registryEntries: 1 });
    expect(backend.store.threads.size).toBe(0);
    expect(backend.store.byChain.size).toBe(0);
    expect(backend.store.byUuid.size).toBe(0);
    await backend.close();
  });

  it('sweeps on a timer when asked to, and stops on close', async () => {
    const backend = new InMemoryBackend({ ttlMs: 1, sweepIntervalMs: 5 });
    await backend.bufferAppend('a', 'x');
    await backend.registrySet('c', 'u');
    await expect.poll(() => backend.store.threads.size + backend.store.byUuid.size, { timeout: 5000 }).toBe(0);
    await backend.close();
  });

  it('an expired registry entry does not block a new mapping of its chain or uuid', async () => {
    const clock = new ManualClock();
    const backend = new InMemoryBackend({ ttlMs: 100, clock: clock.now });
    await backend.registrySet('c', 'u1');
    clock.advance(200);
    await backend.registrySet('c2', 'u1');
    await backend.registrySet('c', 'u2');
    expect(await backend.registryGetChain('u1')).toBe('c2');
    expect(await backend.registryGetUuid('c')).toBe('u2');
    expect(backend.store.byChain.size).toBe(2);
  });

  it('rejects bad options', () => {
    expect(() => new InMemoryBackend({ ttlMs: -1 })).toThrow(InvalidArgumentError);
    expect(() => new InMemoryBackend({ ttlMs: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => new InMemoryBackend({ sweepIntervalMs: 0 })).toThrow(InvalidArgumentError);
    expect(() => new InMemoryBackend({ store: {} as InMemoryStore })).toThrow(InvalidArgumentError);
    expect(() => new InMemoryBackend(null as never)).toThrow(InvalidArgumentError);
  });
});
