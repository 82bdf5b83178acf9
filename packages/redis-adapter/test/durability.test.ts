import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCluster } from '@x/tooling/vitest';
import { defineScript } from '@x/lua-scripts';
import {
  CommandError,
  DurabilityError,
  InvalidArgumentError,
  checkDurability,
  createRedisAdapter,
  isDurabilityError,
  isRetryable,
  runScriptDurably,
  type RedisAdapter,
} from '../src/index.js';

const incr = defineScript({ name: 'test/durable-incr', source: "return redis.call('INCR', KEYS[1])", keys: ['k'], args: [] });

describe('durable writes (WAIT behind the script, one round trip)', () => {
  const cluster = useCluster({ masters: 3, replicasPerMaster: 1 });
  let adapter: RedisAdapter;

  beforeAll(async () => {
    adapter = createRedisAdapter({ rootNodes: cluster().rootNodes });
    await adapter.ready();
  });
  afterAll(async () => {
    await adapter?.close();
  });

  it('checks its options with the shared validator', () => {
    expect(checkDurability(undefined)).toBeUndefined();
    expect(checkDurability({ replicas: 1 })).toEqual({ replicas: 1, timeoutMs: 1000, aof: false });
    expect(() => checkDurability({})).toThrow(InvalidArgumentError);
    expect(() => checkDurability({ replicas: 0 })).toThrow(/replicas/);
    expect(() => checkDurability({ replicas: 1, timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => checkDurability({ replicas: 1, timeout: 5 })).toThrow(/timeoutMs/);
  });

  it('resolves once the replica confirmed, on every shard', async () => {
    const durability = checkDurability({ replicas: 1, timeoutMs: 5000 })!;
    const before = adapter.stats.commands;
    for (const tag of ['a', 'b', 'c', 'd', 'e', 'f']) {
      expect(await runScriptDurably(adapter, incr, { keys: [`dur:{${tag}}`] }, durability)).toBe(1);
    }
    // script + WAIT per call (plus one EVAL per node on the first NOSCRIPT, and the repeated WAITs then)
    expect(adapter.stats.commands - before).toBeGreaterThanOrEqual(12);
  });

  it('rejects with DurabilityError when fewer replicas confirm in time; the write was applied', async () => {
    const durability = checkDurability({ replicas: 2, timeoutMs: 50 })!;
    const error = await runScriptDurably(adapter, incr, { keys: ['dur:{x}'] }, durability).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DurabilityError);
    expect(isDurabilityError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_DURABILITY', requested: 2, acknowledged: 1 });
    expect(isRetryable(error)).toBe(true); // may be confirmed on a retry; safe only with an operation id
    expect(await adapter.command({ command: ['GET', 'dur:{x}'], keys: ['dur:{x}'] })).toBe('1');
  });

  it('aof on a server without WAITAOF (before 7.2) fails with a CommandError that says so', async () => {
    const version = String(await adapter.command({ command: ['INFO', 'server'], keys: ['dur:{v}'] }));
    const major = version.match(/redis_version:(\d+)\.(\d+)/);
    const hasWaitAof = major !== null && (Number(major[1]) > 7 || (Number(major[1]) === 7 && Number(major[2]) >= 2));
    const attempt = runScriptDurably(adapter, incr, { keys: ['dur:{aof}'] }, checkDurability({ replicas: 1, aof: true })!).catch((e: unknown) => e);
    const outcome = await attempt;
    if (hasWaitAof) expect(outcome === 1 || isDurabilityError(outcome)).toBe(true); // appendonly is off in the harness
    else {
      expect(outcome).toBeInstanceOf(CommandError);
      expect((outcome as CommandError).redisMessage).toMatch(/unknown command/i);
    }
  });
});
