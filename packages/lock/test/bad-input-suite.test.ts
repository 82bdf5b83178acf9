// The shared bad-input suite (@x/tooling/bad-input) against the public entry points of a
// lock, on a standalone server and on a cluster.
import { connectTopology, forEachTopology } from '@x/tooling/vitest';
import { describeBadInput, type EntryPoint } from '@x/tooling/bad-input';
import { createRedisAdapter, type RedisAdapter } from '@x/redis-adapter';
import { createLock, lockKeys, type HeldLock, type Lock } from '../src/index.js';
import { LOCK_OPTIONS, MAX_TTL_MS } from '../src/options.js';

interface Subject {
  readonly prefix: string;
  readonly client: { close(): Promise<unknown> };
  readonly adapter: RedisAdapter;
  readonly lock: Lock;
  readonly held: HeldLock[];
  /** A lock this subject holds, for the checks of `held.guard` options. */
  readonly guarded: HeldLock;
}

const entryPoints: EntryPoint<Subject>[] = [
  {
    name: 'acquire',
    call: async (s, a) => {
      const held = await s.lock.acquire(a.options as never);
      await held.release();
    },
    valid: { options: { timeoutMs: 5000 } },
    options: { accepted: ['timeoutMs', 'signal'] },
  },
  {
    name: 'withLock',
    call: (s, a) => s.lock.withLock(() => 1, a.options as never),
    valid: { options: { timeoutMs: 5000 } },
    options: { accepted: ['timeoutMs', 'signal'] },
  },
  {
    name: 'tryAcquire',
    call: async (s, a) => {
      const held = await s.lock.tryAcquire(a.options as never);
      if (held === null) throw new Error('tryAcquire found the lock held');
      await held.release();
    },
    valid: { options: {} },
    options: { accepted: [] },
  },
];

forEachTopology(['standalone', 'cluster'], (t) => {
  describeBadInput<Subject>({
    name: `Lock (${t.kind})`,
    open: async (prefix) => {
      const client = await connectTopology(t);
      const adapter = createRedisAdapter(client as never);
      const guarded = await createLock(adapter, 'guarded', { prefix }).acquire({ timeoutMs: 5000 });
      return { prefix, client: client as never, adapter, lock: createLock(adapter, 'bad-input', { prefix }), held: [guarded], guarded };
    },
    close: async (s) => {
      for (const held of s.held.splice(0)) await held.release();
      await s.lock.close();
      await s.adapter.close();
      await s.client.close();
    },
    commands: (s) => s.adapter.stats.commands,
    entryPoints,
    closedName: 'Lock "bad-input" is closed',
    closedCodes: ['ERR_CLOSED'],
    constructors: [
      {
        name: 'createLock',
        make: (options) => createLock(null, 'n', options as never),
        valid: {},
        accepted: LOCK_OPTIONS,
        numbers: {
          ttlMs: { min: 10, max: MAX_TTL_MS },
          fenceTtlMs: { min: 1, max: MAX_TTL_MS },
          maxIdBytes: { min: 1, max: 65_536 },
        },
      },
    ],
    extra: [
      { name: 'createLock(undefined, name)', run: () => createLock(undefined as never, 'n'), code: 'ERR_INVALID_ARGUMENT', message: /null for an in-process lock/ },
      { name: 'createLock with retry as a string', run: () => createLock(null, 'n', { retry: 'yes' as never }), code: 'ERR_INVALID_ARGUMENT', message: /retry must be true, false or/ },
      { name: 'createLock with retry of 0 attempts', run: () => createLock(null, 'n', { retry: { attempts: 0 } }), code: 'ERR_INVALID_ARGUMENT', message: /retry\.attempts/ },
      { name: 'createLock with a misspelt retry key', run: () => createLock(null, 'n', { retry: { attempt: 3 } as never }), code: 'ERR_UNKNOWN_OPTION', message: /attempts/ },
      { name: 'acquire({ timeout })', run: (s) => s.lock.acquire({ timeout: 1000 } as never), code: 'ERR_UNKNOWN_OPTION', message: /Did you mean "timeoutMs"/ },
      { name: "lock.on('aquired')", run: (s) => s.lock.on('aquired' as never, () => undefined), code: 'ERR_INVALID_ARGUMENT', message: /"acquired"/ },
      { name: 'lock.guard(fn, { verfy })', run: (s) => s.lock.guard(() => 1, { verfy: true } as never), code: 'ERR_UNKNOWN_OPTION', message: /Did you mean "verify"/ },
      { name: "lock.guard(fn, { verify: 'yes' })", run: (s) => s.lock.guard(() => 1, { verify: 'yes' as never }), code: 'ERR_INVALID_ARGUMENT', message: /"yes" \(a string\)/ },
      { name: 'lock.guard without a function', run: (s) => s.lock.guard('fn' as never), code: 'ERR_INVALID_ARGUMENT' },
      { name: 'held.guard(fn, { verfy })', run: (s) => s.guarded.guard(() => 1, { verfy: true } as never), code: 'ERR_UNKNOWN_OPTION', message: /Did you mean "verify"/ },
      { name: 'held.guard(fn, { verify: 1 })', run: (s) => s.guarded.guard(() => 1, { verify: 1 as never }), code: 'ERR_INVALID_ARGUMENT', message: /1 \(a number\)/ },
      { name: 'held.guard(fn, options) with a non-object', run: (s) => s.guarded.guard(() => 1, 'verify' as never), code: 'ERR_INVALID_ARGUMENT' },
      { name: 'held.guard without a function', run: (s) => s.guarded.guard(undefined as never), code: 'ERR_INVALID_ARGUMENT' },
      { name: 'a lock name over 1024 bytes', run: (s) => createLock(s.adapter, 'n'.repeat(1025), { prefix: s.prefix }), code: 'ERR_TOO_LARGE' },
      { name: 'an empty lock name', run: (s) => createLock(s.adapter, '', { prefix: s.prefix }), code: 'ERR_INVALID_ARGUMENT' },
      { name: 'a numeric lock name', run: (s) => createLock(s.adapter, 7 as never, { prefix: s.prefix }), code: 'ERR_INVALID_ARGUMENT', message: /\(a number\)/ },
      { name: 'a lock name with a lone surrogate', run: (s) => createLock(s.adapter, 'a\ud800', { prefix: s.prefix }), code: 'ERR_INVALID_ARGUMENT' },
    ],
    namespace: {
      write: async (s, id) => {
        s.held.push(await createLock(s.adapter, id, { prefix: s.prefix, ttlMs: 60_000 }).acquire({ timeoutMs: 5000 }));
      },
      has: async (s, id) => {
        const key = lockKeys(s.prefix, id).lock;
        return (await s.adapter.command<number>({ command: ['EXISTS', key], keys: [key] })) === 1;
      },
    },
  });
});
