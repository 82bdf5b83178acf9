import { afterAll, describe, expect, it } from 'vitest';
import { getTopologies, randomPrefix } from '@x/tooling/vitest';
import { defineScript } from '@x/lua-scripts';
import {
  ConnectionClosedError,
  CrossSlotError,
  InvalidArgumentError,
  Keyspace,
  UnknownOptionError,
  createRedisAdapter,
  type RedisAdapter,
  type RedisTarget,
} from '../src/index.js';

const echo = defineScript({ name: 'test/target-echo', source: 'return ARGV[1]', keys: ['k'], args: ['v'] });
const two = defineScript({ name: 'test/target-two', source: 'return #KEYS', keys: ['a', 'b'], args: [] });

describe('one connection target', () => {
  const opened: RedisAdapter[] = [];
  afterAll(async () => {
    for (const a of opened) await a.close();
  });
  const open = (target: RedisTarget) => {
    const adapter = createRedisAdapter(target);
    opened.push(adapter);
    return adapter;
  };

  it('a URL of a standalone server stays standalone', async () => {
    const adapter = open(getTopologies().standalone.url);
    await adapter.ready();
    expect(adapter.topology).toBe('standalone');
    expect(adapter.ownsConnection).toBe(true);
    expect(await adapter.runScript(echo, { keys: ['k'], args: ['s'] })).toBe('s');
  });

  it('a URL of a cluster node connects to the whole cluster, also as { url }', async () => {
    const [seed] = getTopologies().cluster.rootNodes;
    for (const target of [seed!.url, { url: seed!.url }] as RedisTarget[]) {
      const adapter = open(target);
      await adapter.ready();
      expect(adapter.topology).toBe('cluster');
      // Keys in every slot range: a plain client of one node would get MOVED for most of them.
      const ks = new Keyspace(randomPrefix('target'));
      for (let i = 0; i < 30; i++) {
        expect(await adapter.runScript(echo, { keys: [ks.key(`id-${i}`, 'k')], args: [`v${i}`] })).toBe(`v${i}`);
      }
      let keys = 0;
      for await (const batch of adapter.scan({ match: ks.scanPattern() })) keys += batch.length;
      expect(keys).toBe(0); // the script wrote nothing; scan walked every master without error
    }
  });

  it('a first call before the cluster is detected is still refused across slots', async () => {
    const adapter = open(getTopologies().cluster.rootNodes[0]!.url);
    const err = await adapter
      .runScript(two, { keys: ['{a}x', '{b}y'] }, { allowCrossSlot: true })
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(CrossSlotError);
    expect(adapter.topology).toBe('cluster');
  });

  it('detectCluster: false keeps a plain client', async () => {
    const adapter = createRedisAdapter(getTopologies().cluster.rootNodes[0]!.url, { detectCluster: false });
    opened.push(adapter);
    await adapter.ready();
    expect(adapter.topology).toBe('standalone');
  });

  it('cluster seeds as an array of URLs or { rootNodes } of strings', async () => {
    const urls = getTopologies().cluster.rootNodes.map((n) => n.url);
    for (const target of [urls, { rootNodes: urls }] as RedisTarget[]) {
      const adapter = open(target);
      await adapter.ready();
      expect(adapter.topology).toBe('cluster');
      expect(await adapter.runScript(echo, { keys: ['{q}k'], args: ['c'] })).toBe('c');
    }
  });

  it('{ socket: { host, port } } connects a standalone client', async () => {
    const { hostname, port } = new URL(getTopologies().standalone.url);
    const adapter = open({ socket: { host: hostname, port: Number(port) } });
    expect(await adapter.runScript(echo, { keys: ['k'], args: ['sock'] })).toBe('sock');
  });
});

describe('strict calls', () => {
  const adapter = createRedisAdapter(getTopologies().standalone.url);
  afterAll(() => adapter.close());

  it('refuses unknown keys of call, scan, subscribe and pipeline options, sending nothing', async () => {
    const before = adapter.stats.commands;
    const cases: Promise<unknown>[] = [
      adapter.runScript(echo, { keys: ['k'], args: ['v'] }, { returnBufers: true } as never),
      adapter.runScript(echo, { keys: ['k'], args: ['v'], kyes: [] } as never),
      adapter.command({ command: ['GET', 'k'], keys: ['k'] }, { allowCrossslot: true } as never),
      adapter.pipeline([{ command: ['GET', 'k'], key: ['k'] } as never]),
      adapter.subscribe('c', () => undefined, { onResynch: () => undefined } as never),
    ];
    for (const call of cases) await expect(call).rejects.toBeInstanceOf(UnknownOptionError);
    expect(() => adapter.scan({ mach: 'x*' } as never)).toThrow(UnknownOptionError);
    expect(() => adapter.scan({ count: '10' } as never)).toThrow(/count must be an integer from 1 to 1000000, got "10" \(a string\)/);
    await expect(adapter.command({ command: ['GET', 'k'] }, { returnBuffers: 'yes' } as never)).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(adapter.stats.commands).toBe(before);
    expect(await adapter.command({ command: ['PING'] })).toBe('PONG'); // the next normal call works
  });

  it('names the adapter after close()', async () => {
    const own = createRedisAdapter(getTopologies().standalone.url);
    await own.close();
    const err = await own.command({ command: ['PING'] }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionClosedError);
    expect((err as Error).message).toMatch(/RedisAdapter is closed/);
  });
});
