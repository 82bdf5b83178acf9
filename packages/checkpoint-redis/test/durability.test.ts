// The `durability` option on a sentinel-managed master with one replica (the harness's
// replication setup): a put resolves once the replica confirmed it, and rejects with
// DurabilityError (the write applied) while the replica is stalled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCommand, type NodeAddress } from '@x/tooling/redis';
import { randomPrefix, useSentinel } from '@x/tooling/vitest';
import { DurabilityError, RedisSaver, isRetryable, type RedisSaverOptions } from '../src/index.js';
import { checkpoint, meta } from './fixtures.js';

const cfg = (thread_id: string, checkpoint_id?: string) => ({ configurable: { thread_id, checkpoint_ns: '', ...(checkpoint_id ? { checkpoint_id } : {}) } });

describe('RedisSaver durability (master + replica under sentinel)', () => {
  const sentinel = useSentinel();
  const savers: RedisSaver[] = [];
  let replica: NodeAddress;

  /** A saver connected (and its scripts loaded) before the test stalls anything. */
  const open = async (options: RedisSaverOptions) => {
    const s = sentinel();
    const saver = new RedisSaver({ sentinelRootNodes: s.sentinelRootNodes, name: s.masterName } as never, { prefix: randomPrefix('cp-dur'), ...options });
    savers.push(saver);
    const warm = checkpoint({ w: 1 });
    await saver.put(cfg('warm-up'), warm, meta(0), { w: 1 });
    await saver.putWrites(cfg('warm-up', warm.id), [['w', 2]], 'task');
    return saver;
  };

  /** Stalls the replica for `seconds` (DEBUG SLEEP: it acknowledges nothing meanwhile); `back` resolves when it is back. */
  const stallReplica = async (seconds: number): Promise<{ back: Promise<number> }> => {
    const back = adminCommand(replica, ['DEBUG', 'SLEEP', String(seconds)], 10_000).then(() => Date.now());
    await new Promise((resolve) => setTimeout(resolve, 100)); // the sleep has begun
    return { back };
  };

  beforeAll(async () => {
    const master = await sentinel().getMaster();
    replica = sentinel().dataNodes.find((n) => n.port !== master.port)!;
  });
  afterAll(async () => {
    for (const saver of savers) await saver.close();
  });

  it('put and putWrites resolve once the replica has the write', async () => {
    const saver = await open({ durability: { replicas: 1, timeoutMs: 5000 } });
    const cp = checkpoint({ a: 1 });
    await saver.put(cfg('t'), cp, meta(0), { a: 1 });
    await saver.putWrites(cfg('t', cp.id), [['a', 2]], 'task');
    // Confirmed by WAIT: the replica has both writes now.
    const [checkpoints, writes] = saver.keys.thread('t').filter((_, i) => i === 0 || i === 6);
    expect(Number(await adminCommand(replica, ['HLEN', checkpoints!]))).toBe(1);
    expect(Number(await adminCommand(replica, ['HLEN', writes!]))).toBe(1);
  });

  it('rejects with DurabilityError while the replica is stalled; the write was applied', { timeout: 20_000 }, async () => {
    const saver = await open({ durability: { replicas: 1, timeoutMs: 200 } });
    const cp = checkpoint({ a: 1 });
    const { back } = await stallReplica(1.5);
    const put = await saver.put(cfg('stalled'), cp, meta(0), { a: 1 }).catch((e: unknown) => e);
    const writes = await saver.putWrites(cfg('stalled', cp.id), [['a', 2]], 'task').catch((e: unknown) => e);
    await back;
    for (const error of [put, writes]) {
      expect(error).toBeInstanceOf(DurabilityError);
      expect(error).toMatchObject({ code: 'ERR_DURABILITY', requested: 1, acknowledged: 0 });
      expect(isRetryable(error)).toBe(true);
    }
    const tuple = await saver.getTuple(cfg('stalled'));
    expect(tuple?.checkpoint.id).toBe(cp.id);
    expect(tuple?.pendingWrites).toEqual([['task', 'a', 2]]);
  });

  it('with retry, a put made while the replica is stalled resolves once it is back, stored once', { timeout: 20_000 }, async () => {
    const saver = await open({ durability: { replicas: 1, timeoutMs: 200 }, retry: { attempts: 50, baseDelayMs: 50, maxDelayMs: 200 } });
    const cp = checkpoint({ a: 1 });
    const { back } = await stallReplica(1);
    await saver.put(cfg('retried'), cp, meta(0), { a: 1 });
    const resolvedAt = Date.now();
    const backAt = await back;
    expect(resolvedAt).toBeGreaterThanOrEqual(backAt); // confirmed only once the replica was back
    const [checkpoints] = saver.keys.thread('retried');
    expect(Number(await adminCommand(replica, ['HLEN', checkpoints!]))).toBe(1);
    expect((await saver.getTuple(cfg('retried')))?.checkpoint.channel_values).toEqual({ a: 1 });
  });
});
