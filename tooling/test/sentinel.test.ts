import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSentinel, parseInfo, randomPrefix, type RedisSentinel } from '@x/tooling/redis';
import { useSentinel } from '@x/tooling/vitest';
import { waitUntil } from '@x/tooling/redis';

describe('startSentinel', () => {
  const sentinel = useSentinel();
  let client: RedisSentinel;

  beforeAll(async () => {
    client = await connectSentinel(sentinel().masterName, sentinel().sentinelRootNodes);
  });
  afterAll(async () => {
    await client?.destroy();
  });

  /** Port of the server the sentinel client sends writes to. */
  async function clientMasterPort(): Promise<number> {
    return Number(parseInfo(String(await client.sendCommand(true, ['INFO', 'server']))).tcp_port);
  }

  it('connects through the sentinel to the master', async () => {
    const master = await sentinel().getMaster();
    expect(sentinel().dataNodes.map((node) => node.port)).toContain(master.port);
    expect(await clientMasterPort()).toBe(master.port);
    expect(await client.ping()).toBe('PONG');
  });

  it('sees the new master after SENTINEL FAILOVER, data included', async () => {
    const key = `${randomPrefix('sentinel')}k`;
    await client.set(key, 'before');
    const old = await sentinel().getMaster();
    const next = await sentinel().failover();
    expect(next.port).not.toBe(old.port);
    expect((await sentinel().getMaster()).port).toBe(next.port);
    await waitUntil(async () => (await clientMasterPort()) === next.port, {
      timeoutMs: 15_000,
      what: 'the sentinel client to follow the failover',
    });
    expect(await client.get(key)).toBe('before');
    await client.set(key, 'after');
    expect(await client.get(key)).toBe('after');
  });

  it('promotes the replica when the master is SIGKILLed', async () => {
    const old = await sentinel().getMaster();
    const next = await sentinel().killMaster();
    expect(next.port).not.toBe(old.port);
    await waitUntil(async () => (await clientMasterPort()) === next.port, {
      timeoutMs: 15_000,
      what: 'the sentinel client to follow the new master',
    });
    expect(await client.ping()).toBe('PONG');
  });
});
