import { defineScript } from '@x/lua-scripts';
import { ConnectionClosedError, CrossSlotError, InvalidArgumentError, ScriptError } from '../errors.js';
import { Keyspace } from '../keys.js';
import type { RedisAdapter } from '../port.js';
import type { TestRunner } from './runner.js';

/** What a topology under test provides to {@link runAdapterConformance}. */
export interface AdapterConformanceTarget {
  /** Shown in test names, e.g. `node-redis standalone`. */
  name: string;
  /** A fresh adapter on the server(s) under test. */
  createAdapter(): Promise<RedisAdapter> | RedisAdapter;
  /** Runs `SCRIPT FLUSH` on every master. */
  flushScripts(): Promise<void>;
  /** Restarts the server(s) with an empty script cache, if the target can. */
  restart?: () => Promise<void>;
  /** Round trips seen between the adapter and the server(s) so far, if the target counts them. */
  roundTrips?: () => number;
}

const echo = defineScript({
  name: 'conformance/echo',
  source: "redis.call('SET', KEYS[1], ARGV[1]); return { redis.call('GET', KEYS[1]), ARGV[2] }",
  keys: ['target'],
  args: ['value', 'extra'],
});
const incr = defineScript({
  name: 'conformance/incr',
  source: "return redis.call('INCRBY', KEYS[1], ARGV[1])",
  keys: ['counter'],
  args: ['by'],
});
const fail = defineScript({
  name: 'conformance/fail',
  source: "return redis.error_reply('CONFORMANCE deliberate failure')",
  keys: ['anchor'],
  args: [],
});
const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

let counter = 0;
const uniquePrefix = (label: string) =>
  `conf-${label}-${process.pid}-${Date.now().toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

const until = async (check: () => boolean, timeoutMs = 5_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

/**
 * The behaviour every {@link RedisAdapter} implementation must show, as test
 * cases registered on the given runner. Run it once per topology.
 */
export function runAdapterConformance(t: TestRunner, target: AdapterConformanceTarget): void {
  const { describe, it, expect, beforeAll, afterAll } = t;

  describe(`adapter conformance: ${target.name}`, () => {
    let adapter: RedisAdapter;
    let ks: Keyspace;

    beforeAll(async () => {
      adapter = await target.createAdapter();
      ks = new Keyspace(uniquePrefix('a'));
    });
    afterAll(async () => {
      await adapter?.close();
    });

    it('runs a script by position and by header names', async () => {
      const key = ks.key('echo', 'v');
      expect(await adapter.runScript(echo, { keys: [key], args: ['one', 'x'] })).toEqual(['one', 'x']);
      expect(await adapter.runScript(echo, { keys: { target: key }, args: { value: 'two', extra: 'y' } })).toEqual([
        'two',
        'y',
      ]);
    });

    it('round-trips every byte value with returnBuffers', async () => {
      const key = ks.key('bytes', 'v');
      const reply = (await adapter.runScript(echo, { keys: [key], args: [allBytes, new Uint8Array([0, 1])] }, {
        returnBuffers: true,
      })) as Buffer[];
      expect(Buffer.isBuffer(reply[0])).toBe(true);
      expect(Buffer.compare(reply[0]!, allBytes)).toBe(0);
      expect([...reply[1]!]).toEqual([0, 1]);
    });

    it('rejects a wrong key count or a bad argument before sending anything', async () => {
      const before = adapter.stats.commands;
      await expect(adapter.runScript(echo, { keys: [], args: ['a', 'b'] })).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(
        adapter.runScript(echo, { keys: [ks.key('x', 'v')], args: ['a', undefined as unknown as string] }),
      ).rejects.toThrow(/conformance\/echo ARGV\[2\] must be a string/);
      await expect(adapter.runScript(echo, { keys: [ks.key('x', 'v')], args: [Number.NaN, 'b'] })).rejects.toThrow(
        /ARGV\[1\] is not a finite number/,
      );
      await expect(adapter.command({ command: ['GET', {} as unknown as string] })).rejects.toThrow(
        /command argument\[1\] must be a string/,
      );
      await expect(adapter.runScript(echo, { keys: { nope: 'k' } as never, args: ['a', 'b'] })).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
      expect(adapter.stats.commands).toBe(before);
    });

    it('fails before sending when the keys of one call span hash slots, naming the keys', async () => {
      const before = adapter.stats.commands;
      const a = ks.key('left', 'v');
      const b = ks.key('right', 'v');
      expect(adapter.hashSlot(a)).not.toBe(adapter.hashSlot(b));
      const err = await adapter
        .runScript(defineScript({ name: 't/two', source: 'return 1', keys: ['a', 'b'], args: [] }), { keys: [a, b] })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CrossSlotError);
      expect((err as CrossSlotError).code).toBe('ERR_CROSS_SLOT');
      expect((err as CrossSlotError).keys).toEqual([a, b]);
      expect((err as Error).message).toContain(a);
      const err2 = await adapter.command({ command: ['MGET', a, b], keys: [a, b] }).catch((e: unknown) => e);
      expect(err2).toBeInstanceOf(CrossSlotError);
      expect(adapter.stats.commands).toBe(before);
    });

    it('lets one call span slots with allowCrossSlot on a server that holds every slot, never on a cluster', async () => {
      const a = ks.key('xs-left', 'v');
      const b = ks.key('xs-right', 'v');
      const two = defineScript({
        name: 't/two-set',
        source: "redis.call('SET', KEYS[1], ARGV[1]); redis.call('SET', KEYS[2], ARGV[1]); return 2",
        keys: ['a', 'b'],
        args: ['v'],
      });
      if (adapter.topology === 'cluster') {
        const before = adapter.stats.commands;
        await expect(adapter.runScript(two, { keys: [a, b], args: ['x'] }, { allowCrossSlot: true })).rejects.toBeInstanceOf(
          CrossSlotError,
        );
        expect(adapter.stats.commands).toBe(before);
      } else {
        expect(await adapter.runScript(two, { keys: [a, b], args: ['x'] }, { allowCrossSlot: true })).toBe(2);
        expect(await adapter.command({ command: ['MGET', a, b], keys: [a, b] }, { allowCrossSlot: true })).toEqual(['x', 'x']);
      }
    });

    it('pipelineSettled reports every outcome instead of rejecting', async () => {
      const key = ks.key('settled', 'n');
      await adapter.runScript(incr, { keys: [key], args: [0] }); // loaded, so the calls run in order
      const replies = await adapter.pipelineSettled([
        { script: incr, keys: [key], args: [2] },
        { script: fail, keys: [key] },
        { command: ['GET', key], keys: [key] },
      ]);
      expect(replies[0]).toEqual({ ok: true, value: 2 });
      expect(replies[1]!.ok).toBe(false);
      expect((replies[1] as { error: Error }).error).toBeInstanceOf(ScriptError);
      expect(replies[2]).toEqual({ ok: true, value: '2' });
    });

    it('reports a script failure as ScriptError with the script name', async () => {
      const err = await adapter.runScript(fail, { keys: [ks.key('f', 'v')] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ScriptError);
      expect((err as ScriptError).script).toBe('conformance/fail');
      expect((err as ScriptError).redisMessage).toContain('deliberate failure');
    });

    it('recovers from SCRIPT FLUSH with no caller-visible error', async () => {
      const key = ks.key('flush', 'n');
      await adapter.runScript(incr, { keys: [key], args: [1] });
      await target.flushScripts();
      const fallbacks = adapter.stats.noscriptFallbacks;
      expect(await adapter.runScript(incr, { keys: [key], args: [1] })).toBe(2);
      expect(adapter.stats.noscriptFallbacks).toBe(fallbacks + 1);
    });

    it('sends a pipeline of script calls in one round trip and recovers NOSCRIPT inside it', async () => {
      const tag = 'pipe';
      const calls = [1, 2, 3].map((by) => ({ script: incr, keys: [ks.key(tag, 'n')], args: [by] }));
      await adapter.runScript(incr, { keys: [ks.key(tag, 'n')], args: [0] }); // load the script
      const tripsBefore = target.roundTrips?.();
      expect(await adapter.pipeline(calls)).toEqual([1, 3, 6]);
      if (tripsBefore !== undefined) expect(target.roundTrips!() - tripsBefore).toBe(1);
      await target.flushScripts();
      const fallbacks = adapter.stats.noscriptFallbacks;
      // The GET runs in the first pass; the three scripts are re-sent together, in order, after it.
      expect(await adapter.pipeline([...calls, { command: ['GET', ks.key(tag, 'n')], keys: [ks.key(tag, 'n')] }])).toEqual([
        7, 9, 12, '6',
      ]);
      expect(adapter.stats.noscriptFallbacks).toBe(fallbacks + 3);
    });

    it('pipelines calls for different slots and keeps replies in order', async () => {
      const ids = Array.from({ length: 20 }, (_, i) => `id-${i}`);
      const replies = await adapter.pipeline(
        ids.map((id, i) => ({ script: echo, keys: [ks.key(id, 'v')], args: [`v${i}`, id] })),
      );
      expect(replies).toEqual(ids.map((id, i) => [`v${i}`, id]));
    });

    it('rejects a pipeline with the first error after every call settled', async () => {
      const key = ks.key('pipe-err', 'n');
      const err = await adapter
        .pipeline([
          { script: incr, keys: [key], args: [5] },
          { script: fail, keys: [key] },
          { script: incr, keys: [key], args: [5] },
        ])
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ScriptError);
      expect(await adapter.command({ command: ['GET', key], keys: [key] })).toBe('10');
    });

    it('delivers published messages to every listener on one subscriber connection', async () => {
      const channel = ks.key('chan', 'events');
      const a: string[] = [];
      const b: Buffer[] = [];
      const subA = await adapter.subscribe(channel, (m) => a.push(m));
      const subB = await adapter.subscribe(channel, (m) => b.push(m), { returnBuffers: true });
      expect(await adapter.publish(channel, 'hello')).toBeGreaterThanOrEqual(1);
      await adapter.publish(channel, allBytes);
      await until(() => a.length === 2 && b.length === 2);
      expect(a[0]).toBe('hello');
      expect(Buffer.compare(b[1]!, allBytes)).toBe(0);
      await subA.unsubscribe();
      await adapter.publish(channel, 'after');
      await until(() => b.length === 3);
      expect(a).toHaveLength(2);
      await subB.unsubscribe();
      expect(await adapter.publish(channel, 'nobody')).toBe(0);
    });

    it('scans every master and escapes glob characters in prefixes', async () => {
      const base = uniquePrefix('scan');
      const mine = new Keyspace(`${base}*[x]?`);
      const other = new Keyspace(`${base}x[x]y`);
      const nested = new Keyspace(`${base}*[x]?:b`);
      const ids = Array.from({ length: 60 }, (_, i) => `t${i}:{${i}}*`);
      await adapter.pipeline(
        [...ids.map((id) => mine.key(id, 'v')), other.key('t0', 'v'), nested.key('t0', 'v')].map((k) => ({
          command: ['SET', k, '1'],
          keys: [k],
        })),
      );
      const seen = new Set<string>();
      for await (const batch of adapter.scan({ match: mine.scanPattern(), count: 7 })) batch.forEach((k) => seen.add(k));
      expect([...seen].sort()).toEqual(ids.map((id) => mine.key(id, 'v')).sort());
      expect(new Set([...seen].map((k) => mine.idOf(k)))).toEqual(new Set(ids));
      const slots = new Set(ids.map((id) => adapter.hashSlot(mine.key(id, 'v'))));
      expect(slots.size).toBeGreaterThan(10);
    });

    // Registered only for targets whose servers the test may restart (the harness's own servers).
    if (target.restart) {
      const restart = target.restart;
      it('survives a server restart with no caller-visible error', async () => {
        const key = ks.key('restart', 'n');
        await adapter.runScript(incr, { keys: [key], args: [1] });
        await restart();
        // Nothing was in flight: the client reconnects and the call goes through, EVALSHA -> NOSCRIPT -> EVAL.
        expect(await adapter.runScript(incr, { keys: [key], args: [1] })).toBe(1);
      });

      it('tells subscribers with onResync that a restart may have lost messages, and delivers again after it', async () => {
        const channel = ks.key('resync', 'events');
        const got: string[] = [];
        let resyncs = 0;
        let plainResyncs = 0;
        const sub = await adapter.subscribe(channel, (m) => got.push(m), { onResync: () => resyncs++ });
        const plain = await adapter.subscribe(ks.key('resync', 'other'), () => undefined, {
          onResync: () => {
            plainResyncs++;
            throw new Error('a throwing onResync must not stop the others');
          },
        });
        expect(resyncs).toBe(0);
        await restart();
        await until(() => resyncs > 0 && plainResyncs > 0, 15_000);
        // The client resubscribes by itself: a message published after the restart arrives.
        const deadline = Date.now() + 15_000;
        while (!got.includes('after')) {
          if (Date.now() > deadline) throw new Error('no message arrived after the restart');
          await adapter.publish(channel, 'after').catch(() => undefined);
          await new Promise((r) => setTimeout(r, 50));
        }
        await sub.unsubscribe();
        await plain.unsubscribe();
      });
    }

    it('rejects an onResync that is not a function before subscribing', async () => {
      await expect(
        adapter.subscribe(ks.key('resync', 'bad'), () => undefined, { onResync: 'soon' as unknown as () => void }),
      ).rejects.toBeInstanceOf(InvalidArgumentError);
    });

    it('refuses calls after close with ConnectionClosedError', async () => {
      const own = await target.createAdapter();
      await own.close();
      await expect(own.runScript(incr, { keys: [ks.key('closed', 'n')], args: [1] })).rejects.toBeInstanceOf(
        ConnectionClosedError,
      );
    });
  });
}
