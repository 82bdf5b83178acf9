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
      await node.sendCommand(['GET', `${k}:n`], { typeMapping: { 36: Buffer } } as never);
    };
    const opIo = async () => {
      await io.call('INCR', `${k}:n`);
      const p = io.pipeline();
      p.call('INCR', `${k}:n`);
      p.call('RPUSH', `${k}:l`, 'x');
      await p.exec();
      await io.callBuffer('GET', `${k}:n`);
    };
    // The last reply was asked for as bytes on both libraries: the replay asks for it the same way.
    const cmd = (args: string[], buffers = false) => ({ args, buffers });
    const expected = [[cmd(['INCR', `${k}:n`])], [cmd(['INCR', `${k}:n`]), cmd(['RPUSH', `${k}:l`, 'x'])], [cmd(['GET', `${k}:n`], true)]];
    const nodeTrace = await new WireRecorder(node, 'node-redis').record(opNode);
    const ioTrace = await new WireRecorder(io, 'ioredis').record(opIo);
    expect(nodeTrace).toEqual(expected);
    const upper = (trace: typeof nodeTrace) =>
      trace.map((batch) => batch.map((c) => ({ args: c.args.map((a) => a.toString().toUpperCase()), buffers: c.buffers })));
    expect(upper(ioTrace)).toEqual(upper(expected));
    expect(await node.get(`${k}:n`)).toBe('4');
    // The last reply comes back as the package asked for it: bytes, on both libraries.
    const [fromNode] = await replayNodeRedis(node, nodeTrace);
    const [fromIo] = await replayIoredis(io, nodeTrace);
    expect(fromNode).toEqual(Buffer.from('6'));
    expect(fromIo).toEqual(Buffer.from('8'));
    expect(await node.get(`${k}:n`)).toBe('8');
    expect(await node.lLen(`${k}:l`)).toBe(4);
    await node.del([`${k}:n`, `${k}:l`]);
  });
});
