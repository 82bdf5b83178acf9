import { EventEmitter } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { connectClient, connectCluster, connectIoClient, connectIoCluster, randomPrefix, waitUntil } from '@x/tooling/redis';
import { getTopologies } from '@x/tooling/vitest';
import { createRedisAdapter, type RedisAdapter } from '../src/index.js';
import { listenShared } from '../src/shared-listeners.js';

describe('listenShared (plumbing, on a plain EventEmitter)', () => {
  it('puts one listener per event on the emitter, whatever the number of callbacks, and takes it off with the last', () => {
    const emitter = new EventEmitter();
    const calls: string[] = [];
    const stops = Array.from({ length: 20 }, (_, i) => listenShared(emitter, 'end', () => calls.push(`end${i}`)));
    const stopReady = listenShared(emitter, 'ready', () => calls.push('ready'));
    expect(emitter.listenerCount('end')).toBe(1);
    expect(emitter.listenerCount('ready')).toBe(1);
    emitter.emit('end');
    expect(calls).toEqual(Array.from({ length: 20 }, (_, i) => `end${i}`));
    for (const stop of stops.slice(0, 19)) stop();
    expect(emitter.listenerCount('end')).toBe(1);
    stops[19]!();
    stops[19]!(); // twice: harmless
    expect(emitter.listenerCount('end')).toBe(0);
    stopReady();
    expect(emitter.eventNames()).toEqual([]);
    // After the last one left, a new callback puts the listener back.
    const stopAgain = listenShared(emitter, 'end', () => calls.push('again'));
    emitter.emit('end');
    expect(calls.at(-1)).toBe('again');
    stopAgain();
    expect(emitter.listenerCount('end')).toBe(0);
  });

  it('calls a once callback on the first event only, and keeps the others', () => {
    const emitter = new EventEmitter();
    let once = 0;
    let every = 0;
    listenShared(emitter, 'end', () => once++, { once: true });
    const stop = listenShared(emitter, 'end', () => every++);
    emitter.emit('end');
    emitter.emit('end');
    expect([once, every]).toEqual([1, 2]);
    stop();
    expect(emitter.listenerCount('end')).toBe(0);
  });

  it('calls every callback when one throws, then throws the first error to the emitter', () => {
    const emitter = new EventEmitter();
    const calls: number[] = [];
    listenShared(emitter, 'end', () => {
      calls.push(1);
      throw new Error('first');
    });
    listenShared(emitter, 'end', () => {
      calls.push(2);
      throw new Error('second');
    });
    listenShared(emitter, 'end', () => calls.push(3));
    expect(() => emitter.emit('end')).toThrow('first');
    expect(calls).toEqual([1, 2, 3]);
  });
});

describe('many adapters on one caller connection', () => {
  const closers: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  });

  /** What the adapters' `on` calls left on the connection: listeners per event. */
  const listeners = (c: EventEmitter) => Object.fromEntries(c.eventNames().map((e) => [String(e), c.listenerCount(e)]));

  /** Twelve adapters, each subscribed, on `connection`: one listener per event from all of them, no leak warning. */
  async function twelveSubscribed(connection: EventEmitter): Promise<RedisAdapter[]> {
    const before = listeners(connection);
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    const adapters: RedisAdapter[] = [];
    try {
      const prefix = randomPrefix('many');
      for (let i = 0; i < 12; i++) {
        const adapter = createRedisAdapter(connection as never);
        adapters.push(adapter);
        await adapter.subscribe(`${prefix}:{c}:${i}`, () => undefined);
      }
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on a later tick
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    const after = listeners(connection);
    for (const [event, count] of Object.entries(after)) expect(count, event).toBeLessThanOrEqual((before[event] ?? 0) + 1);
    return adapters;
  }

  it.each(['node-redis', 'ioredis'] as const)('%s client: one listener per event, and the caller quitting still closes every subscriber', async (kind) => {
    const url = getTopologies().standalone.url;
    const client = (kind === 'node-redis' ? await connectClient(url) : await connectIoClient(url)) as unknown as EventEmitter & { quit(): Promise<unknown> };
    const before = listeners(client);
    const adapters = await twelveSubscribed(client);
    expect(listeners(client).end).toBe((before.end ?? 0) + 1);
    const admin = await connectClient(url);
    closers.push(() => admin.close());
    const subscribers = async () => (String(await admin.sendCommand(['CLIENT', 'LIST'])).match(/ sub=[1-9]/g) ?? []).length;
    expect(await subscribers()).toBe(12);
    await client.quit();
    await waitUntil(async () => (await subscribers()) === 0, { timeoutMs: 5_000, intervalMs: 20, what: 'the twelve subscribers to close' });
    expect(listeners(client).end ?? 0).toBe(before.end ?? 0);
    for (const adapter of adapters) await adapter.close();
  });

  it.each(['node-redis', 'ioredis'] as const)('%s cluster: one listener per event, none left once the adapters close', async (kind) => {
    const { rootNodes } = getTopologies().cluster;
    const cluster = (kind === 'node-redis' ? await connectCluster(rootNodes) : await connectIoCluster(rootNodes)) as unknown as EventEmitter & {
      quit?(): Promise<unknown>;
      close?(): Promise<unknown>;
    };
    closers.push(async () => (kind === 'node-redis' ? cluster.close!() : cluster.quit!()));
    const before = listeners(cluster);
    const adapters = await twelveSubscribed(cluster);
    for (const adapter of adapters) await adapter.close();
    expect(listeners(cluster)).toEqual(before);
  });
});
