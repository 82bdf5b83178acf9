import { fork, spawn } from 'node:child_process';
import cluster from 'node:cluster';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getTopologies, randomPrefix } from '@x/tooling/vitest';
import { describeSharedBackendConformance } from '../src/testing.js';
import {
  AuthenticationError,
  BackendClosedError,
  ConfigMismatchError,
  ConnectionError,
  InMemoryBackend,
  InMemoryStore,
  InvalidArgumentError,
  ManualClock,
  ProcessSharedBackend,
  RedisBackend,
  RemoteBackendError,
  SharedBackendHost,
  type SharedBackend,
} from '../src/index.js';
import { decodeValue, encodeFrame, type WireValue } from '../src/process/codec.js';
import { FrameReader } from '../src/process/framing.js';
import { ProtocolError } from '../src/errors.js';
import { flushScripts } from './helpers.js';

const hosts: SharedBackendHost[] = [];
afterAll(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.close()));
});
const startHost = async (options: Parameters<typeof SharedBackendHost.start>[0] = {}) => {
  const host = await SharedBackendHost.start(options);
  hosts.push(host);
  return host;
};

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

// Clients over the socket to hosts serving in-memory state on a manual clock:
// one store per prefix (a tenant), one host per prefix and TTL.
{
  const clock = new ManualClock();
  const stores = new Map<string, InMemoryStore>();
  const byKey = new Map<string, Promise<SharedBackendHost>>();
  describeSharedBackendConformance(
    { describe, it, expect },
    {
      name: 'ProcessSharedBackend -> host(InMemoryBackend)',
      clock,
      create: async ({ prefix, ttlMs }) => {
        let store = stores.get(prefix);
        if (store === undefined) stores.set(prefix, (store = new InMemoryStore({ clock: clock.now })));
        const key = `${prefix}\0${ttlMs}`;
        let host = byKey.get(key);
        if (host === undefined) byKey.set(key, (host = startHost({ backend: new InMemoryBackend({ store, ttlMs }), closeBackend: true })));
        return new ProcessSharedBackend({ ...(await host).address, listBatchSize: 7 });
      },
    },
  );
}

// A host can serve any backend: here a RedisBackend, reached by clients over the socket.
{
  const byKey = new Map<string, Promise<SharedBackendHost>>();
  describeSharedBackendConformance(
    { describe, it, expect },
    {
      name: 'ProcessSharedBackend -> host(RedisBackend standalone)',
      realTimeTtlMs: 1000,
      flushScripts: () => flushScripts(getTopologies().standalone),
      concurrency: { writers: 4, operations: 25 },
      create: async ({ prefix, ttlMs }) => {
        const key = `${prefix}\0${ttlMs}`;
        let host = byKey.get(key);
        if (host === undefined) {
          const backend = new RedisBackend(getTopologies().standalone.url, { prefix, ttlMs });
          byKey.set(key, (host = startHost({ backend, closeBackend: true })));
        }
        return new ProcessSharedBackend((await host).address);
      },
    },
  );
}

const worker = join(import.meta.dirname, 'fixtures', 'worker.ts');

function checkWorkers(reports: { id: string; indexes: number[] }[], appends: number, slots: Uint8Array[]): void {
  const all = reports.flatMap((r) => r.indexes).sort((a, b) => a - b);
  expect(all).toEqual(Array.from({ length: reports.length * appends }, (_, i) => i));
  expect(slots).toHaveLength(reports.length * appends);
  for (const { id, indexes } of reports) {
    indexes.forEach((index, i) => {
      expect(Buffer.from(slots[index]!).equals(Buffer.from([0xff, 0x00, ...Buffer.from(`${id}:${i}`)]))).toBe(true);
    });
  }
}

describe('ProcessSharedBackend across real processes', () => {
  it('forked workers and an unrelated spawned process share one host', async () => {
    const host = await startHost();
    const appends = 50;
    const forked = Array.from({ length: 3 }, (_, w) =>
      new Promise<{ id: string; indexes: number[] }>((resolve, reject) => {
        const child = fork(worker, [], {
          execArgv: ['--import', 'tsx'],
          env: { ...process.env, ...host.env, WORKER_ID: `fork-${w}`, APPENDS: String(appends) },
        });
        child.once('message', (m) => resolve(JSON.parse(String(m))));
        child.once('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
      }),
    );
    const spawned = new Promise<{ id: string; indexes: number[] }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', worker], {
        env: { ...process.env, ...host.env, WORKER_ID: 'spawned', APPENDS: String(appends) },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`exit ${code}`))));
    });
    const reports = await Promise.all([...forked, spawned]);
    checkWorkers(reports, appends, await host.backend.bufferGetThread('shared'));
    for (const r of reports) expect(await host.backend.registryGetUuid(`chain-${r.id}`)).toBe(`uuid-${r.id}`);
  });

  it('node:cluster workers reach the host through the environment', async () => {
    const host = await startHost();
    const appends = 30;
    cluster.setupPrimary({ exec: worker, execArgv: ['--import', 'tsx'], silent: false });
    const reports = await Promise.all(
      Array.from({ length: 2 }, (_, w) =>
        new Promise<{ id: string; indexes: number[] }>((resolve, reject) => {
          const child = cluster.fork({ ...host.env, WORKER_ID: `cluster-${w}`, APPENDS: String(appends) });
          child.once('message', (m) => resolve(JSON.parse(String(m))));
          child.once('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
        }),
      ),
    );
    checkWorkers(reports, appends, await host.backend.bufferGetThread('shared'));
  });
});

describe('ProcessSharedBackend: access, framing and failures', () => {
  const rawConnect = (path: string) =>
    new Promise<Socket>((resolve, reject) => {
      const s = connect(path);
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    });
  const closed = (s: Socket) =>
    new Promise<void>((resolve) => {
      s.on('error', () => undefined);
      s.resume(); // read, or the end of the stream is never seen
      if (s.destroyed) resolve();
      else s.once('close', () => resolve());
    });

  it('refuses a wrong token with AuthenticationError', async () => {
    const host = await startHost();
    const client = new ProcessSharedBackend({ socketPath: host.socketPath, token: 'not-the-token' });
    await expect(client.bufferAppend('t', 'x')).rejects.toBeInstanceOf(AuthenticationError);
    await expect(client.connect()).rejects.toMatchObject({ code: 'ERR_AUTH' });
    expect(await client.ping()).toBe(false);
    expect(await host.backend.bufferThreadExists('t')).toBe(false);
    await client.close();
  });

  it('drops connections that send garbage, oversized frames or nothing, without disturbing others', async () => {
    const host = await startHost({ handshakeTimeoutMs: 100 });
    const good = new ProcessSharedBackend(host.address);
    await good.bufferAppend('t', 'x');

    const garbage = await rawConnect(host.socketPath);
    garbage.write(Buffer.from([0, 0, 0, 3, 0xee, 0xee, 0xee]));
    await closed(garbage);

    const huge = await rawConnect(host.socketPath);
    huge.write(Buffer.from([0x7f, 0xff, 0xff, 0xff]));
    await closed(huge);

    const request = await rawConnect(host.socketPath); // a request before the handshake
    request.write(encodeFrame([1, 'bufferClear'], 1024));
    await closed(request);

    const silent = await rawConnect(host.socketPath);
    await closed(silent); // the handshake timeout

    expect(await good.bufferAppend('t', 'y')).toBe(1);
    await expect.poll(() => host.connectionCount).toBe(1);
    await good.close();
  });

  it('reassembles frames split at every byte', async () => {
    const host = await startHost();
    const s = await rawConnect(host.socketPath);
    const replies: WireValue[] = [];
    const reader = new FrameReader(1 << 20, (f) => replies.push(decodeValue(f)));
    s.on('data', (chunk: Buffer) => reader.push(chunk));
    const bytes = Buffer.concat([
      encodeFrame(['hello', 1, host.token], 4096),
      encodeFrame([7, 'bufferAppend', 'split', Buffer.from([0, 1, 2, 255])], 4096),
      encodeFrame([8, 'bufferGetThread', 'split'], 4096),
    ]);
    for (const byte of bytes) {
      s.write(Buffer.from([byte]));
      await new Promise((r) => setImmediate(r));
    }
    await expect.poll(() => replies.length).toBe(3);
    expect(replies[0]).toEqual(['ok', 1, 256 * 1024 * 1024]);
    expect(replies[1]).toEqual([7, 0, 0]);
    expect(replies[2]).toEqual([8, 0, [Buffer.from([0, 1, 2, 255])]]);
    s.destroy();
  });

  it('answers unknown operations and bad arguments with typed errors', async () => {
    const host = await startHost();
    const s = await rawConnect(host.socketPath);
    const replies: WireValue[] = [];
    const reader = new FrameReader(1 << 20, (f) => replies.push(decodeValue(f)));
    s.on('data', (chunk: Buffer) => reader.push(chunk));
    s.write(encodeFrame(['hello', 1, host.token], 4096));
    s.write(encodeFrame([1, 'constructor'], 4096));
    s.write(encodeFrame([2, 'bufferAppend', 42, 'x'], 4096));
    s.write(encodeFrame([3, 'bufferAppend', 't', [1, 2]], 4096));
    await expect.poll(() => replies.length).toBe(4);
    expect(replies[1]).toEqual([1, 1, ['ProtocolError', 'ERR_PROTOCOL', 'unknown operation "constructor"', null]]);
    expect(((replies[2] as WireValue[])[2] as WireValue[]).slice(0, 2)).toEqual(['InvalidArgumentError', 'ERR_INVALID_ARGUMENT']);
    expect((replies[3] as WireValue[])[2]).toEqual(['InvalidArgumentError', 'ERR_INVALID_ARGUMENT', expect.any(String), 'slot']);
    expect(await host.backend.bufferThreadExists('t')).toBe(false);
    s.destroy();
  });

  it('keeps binary slots intact across many chunks, and enforces maxFrameBytes on both sides', async () => {
    // Slots over the default 1 MiB limit on both sides, so the frame limit is what is tested.
    const maxSlotBytes = 16 * 1024 * 1024;
    const host = await startHost({ maxFrameBytes: 8 * 1024 * 1024, backend: new InMemoryBackend({ maxSlotBytes }), closeBackend: true });
    const client = new ProcessSharedBackend({ ...host.address, maxSlotBytes });
    const big = Buffer.alloc(5 * 1024 * 1024, 0xab);
    big[0] = 0;
    big[big.length - 1] = 0xff;
    await client.bufferAppend('big', big);
    expect(Buffer.from((await client.bufferGetSlot('big', 0))!).equals(big)).toBe(true);
    // A request over the limit is refused before it is sent.
    await expect(client.bufferAppend('big', Buffer.alloc(9 * 1024 * 1024))).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(await client.bufferThreadLength('big')).toBe(1);
    // A reply over the limit becomes an error reply; the connection stays usable.
    await client.bufferAppend('big', big);
    await expect(client.bufferGetThread('big')).rejects.toMatchObject({ code: 'ERR_PROTOCOL' });
    expect(await client.bufferThreadLength('big')).toBe(2);
    await client.close();
  });

  it('fails pending calls with ConnectionError when the host goes away, and reconnects to a new host on the same path', async () => {
    const slow: SharedBackend = Object.assign(new InMemoryBackend(), {
      bufferGetThread: () => new Promise<Uint8Array[]>(() => undefined),
    });
    const first = await SharedBackendHost.start({ backend: slow });
    const client = new ProcessSharedBackend(first.address);
    await client.bufferAppend('t', 'x');
    const pending = client.bufferGetThread('t');
    await first.close();
    await expect(pending).rejects.toBeInstanceOf(ConnectionError);
    await expect(client.bufferAppend('t', 'x')).rejects.toBeInstanceOf(ConnectionError);

    const dir = mkdtempSync(join(tmpdir(), 'xsb-test-'));
    const second = await startHost({ socketPath: join(dir, 'again.sock'), token: first.token });
    const again = new ProcessSharedBackend(second.address);
    expect(await again.bufferAppend('t', 'x')).toBe(0);
    await second.close();
    await expect(again.bufferAppend('t', 'y')).rejects.toBeInstanceOf(ConnectionError);
    const third = await startHost({ socketPath: second.socketPath, token: second.token }); // reuses the path
    expect(await again.bufferAppend('t', 'y')).toBe(0); // reconnected, fresh state
    await again.close();
    await third.close();
    await client.close();
  });

  it('maps errors of the hosted backend to typed errors', async () => {
    const failing = Object.assign(new InMemoryBackend(), {
      registrySet: async () => {
        throw new ConfigMismatchError('a', 'b');
      },
    });
    const host = await startHost({ backend: failing });
    const client = new ProcessSharedBackend(host.address);
    const err = await client.registrySet('c', 'u').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteBackendError);
    expect(err).toMatchObject({ code: 'ERR_REMOTE', remoteCode: 'ERR_CONFIG_MISMATCH', remoteName: 'ConfigMismatchError' });
    await failing.close();
    await expect(client.bufferAppend('t', 'x')).rejects.toBeInstanceOf(BackendClosedError);
    await client.close();
  });

  it('closes the backend it created, never one it was given; the socket directory is private', async () => {
    const own = await SharedBackendHost.start();
    const given = new InMemoryBackend();
    const borrowed = await SharedBackendHost.start({ backend: given });
    if (process.platform !== 'win32') expect(statSync(join(own.socketPath, '..')).mode & 0o777).toBe(0o700);
    await own.close();
    await borrowed.close();
    expect(await own.backend.ping()).toBe(false);
    expect(await given.ping()).toBe(true);
    if (process.platform !== 'win32') expect(() => statSync(own.socketPath)).toThrow();
  });

  it('validates options and the environment', async () => {
    expect(() => ProcessSharedBackend.fromEnv({})).toThrow(InvalidArgumentError);
    expect(() => new ProcessSharedBackend({ socketPath: '', token: 'x' })).toThrow(InvalidArgumentError);
    expect(() => new ProcessSharedBackend({ socketPath: '/x', token: 'x', listBatchSize: 0 })).toThrow(InvalidArgumentError);
    await expect(SharedBackendHost.start({ token: 'short' })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(SharedBackendHost.start({ maxFrameBytes: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
    const nobody = new ProcessSharedBackend({ socketPath: join('/tmp', `${randomPrefix('nobody')}.sock`), token: 'x' });
    await expect(nobody.bufferAppend('t', 'x')).rejects.toBeInstanceOf(ConnectionError);
    await nobody.close();
  });
});

describe('wire codec', () => {
  it('round-trips every value type, bytes as bytes', () => {
    const value: WireValue = [null, true, false, 0, -1.5, 2 ** 53 - 1, '', 'ünï 🧵', Buffer.from([0, 255]), Buffer.alloc(0), [[], ['x']]];
    const frame = encodeFrame(value, 1024);
    expect(frame.readUInt32BE(0)).toBe(frame.length - 4);
    expect(decodeValue(frame.subarray(4))).toEqual(value);
  });

  it('rejects truncated, trailing and unknown input with ProtocolError', () => {
    const frame = encodeFrame(['abc', Buffer.from([1, 2, 3])], 1024).subarray(4);
    expect(() => decodeValue(frame.subarray(0, frame.length - 1))).toThrow(ProtocolError);
    expect(() => decodeValue(Buffer.concat([frame, Buffer.from([0])]))).toThrow(ProtocolError);
    expect(() => decodeValue(Buffer.from([99]))).toThrow(ProtocolError);
    expect(() => decodeValue(Buffer.from([6, 0xff, 0xff, 0xff, 0xff]))).toThrow(ProtocolError);
    expect(() => encodeFrame('x'.repeat(100), 50)).toThrow(ProtocolError);
  });

  it('FrameReader refuses frames over its limit', () => {
    const reader = new FrameReader(10, () => undefined);
    expect(() => reader.push(Buffer.from([0, 0, 0, 11]))).toThrow(ProtocolError);
  });
});
