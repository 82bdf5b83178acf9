import { afterAll, describe, expect, it } from 'vitest';
import { connectClient, type RedisClient } from '@x/tooling/redis';
import { getTopologies, randomPrefix } from '@x/tooling/vitest';
import { connectIoClient } from '../src/redis/io-clients.js';
import { replayIoredis, replayNodeRedis, WireRecorder } from '../src/bench/wire-recorder.js';

describe('WireRecorder (the raw baselines of runClientsBench)', () => {
  const closers: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const close of closers) await close().catch(() => undefined);
  });

  it('records what each library sends, batch by batch, and the raw replay sends the same again', async () => {
    const url = getTopologies().standalone.url;
    const node: RedisClient = await connectClient(url);
    const io = await connectIoClient(url);
    closers.push(() => node.close(), () => io.quit());
    const k = randomPrefix('wire');
    // One call, then two calls handed over in one synchronous run (one batch), then one more.
    const opNode = async () => {
      await node.sendCommand(['INCR', `${k}:n`]);
      await Promise.all([node.sendCommand(['INCR', `${k}:n`]), node.sendCommand(['RPUSH', `${k}:l`, 'x'])]);
      await node.sendCommand(['GET', `${k}:n`]);
    };
    const opIo = async () => {
      await io.call('INCR', `${k}:n`);
      const p = io.pipeline();
      p.call('INCR', `${k}:n`);
      p.call('RPUSH', `${k}:l`, 'x');
      await p.exec();
      await io.call('GET', `${k}:n`);
    };
    const expected = [[['INCR', `${k}:n`]], [['INCR', `${k}:n`], ['RPUSH', `${k}:l`, 'x']], [['GET', `${k}:n`]]];
    const nodeTrace = await new WireRecorder(node, 'node-redis').record(opNode);
    const ioTrace = await new WireRecorder(io, 'ioredis').record(opIo);
    expect(nodeTrace).toEqual(expected);
    expect(ioTrace.map((batch) => batch.map((cmd) => cmd.map((a) => a.toString().toUpperCase())))).toEqual(
      expected.map((batch) => batch.map((cmd) => cmd.map((a) => a.toUpperCase()))),
    );
    expect(await node.get(`${k}:n`)).toBe('4');
    await replayNodeRedis(node, nodeTrace);
    await replayIoredis(io, nodeTrace);
    expect(await node.get(`${k}:n`)).toBe('8');
    expect(await node.lLen(`${k}:l`)).toBe(4);
    await node.del([`${k}:n`, `${k}:l`]);
  });
});
