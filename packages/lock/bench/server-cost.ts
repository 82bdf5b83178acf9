// Server work per hand-off, counted in CPU instructions: Redis runs under valgrind's callgrind,
// which counts instructions, not seconds, so the figures repeat run to run whatever else the
// machine is doing (timings on a shared machine do not). `X_LOCK_BENCH=server-cost` runs it;
// it needs `valgrind` on the PATH and is skipped with a note otherwise.
//
// Per hand-off, side by side on one server:
// - @x/lock: two real locks on two adapters (two inboxes) pass one lock name back and forth:
//   the next holder's acquire joins the queue, the holder's release grants it and publishes to
//   the waiter's inbox (a subscribed connection, so the delivery is counted too); and one
//   acquire + release with nobody waiting (the uncontended case, most locks most of the time);
// - redis-semaphore's Mutex: one successful acquire (SET NX) + its release, and apart from it one
//   failed try (the polling a contended acquire adds; the contention bench shows how many per
//   acquisition);
// - raw SET NX PX + a release script;
// - the contention bench's "hand-off + join" floor: its two scripts (bench/floor-scripts.ts), the
//   least a fair queued lock's two calls per acquisition do;
// - the fair floor: one PUBLISH to a subscribed channel.
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { Mutex } from 'redis-semaphore';
import { getFreePort, requireRedisServer, waitUntil } from '@x/tooling/redis';
import { createRedisAdapter } from '@x/redis-adapter';
import { createLock } from '../dist/index.js';
import { HAND_OFF, JOIN } from './floor-scripts.js';

const exec = promisify(execFile);
/** Hand-offs per measured window (after a warm-up of the same kind). */
const N = 400;

export interface ServerCost {
  name: string;
  /** Server instructions per operation. */
  perOp: number;
}

/** Measures each case on one callgrind-run Redis; undefined when valgrind is missing. */
export async function measureServerCost(): Promise<ServerCost[] | undefined> {
  if (!(await exec('valgrind', ['--version']).then(() => true, () => false))) return undefined;
  const dir = await mkdtemp(join(tmpdir(), 'x-lock-server-cost-'));
  const port = await getFreePort();
  const server = spawn(
    'valgrind',
    ['--tool=callgrind', `--callgrind-out-file=${join(dir, 'cg.out')}`, requireRedisServer(), '--port', String(port), '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  let dumps = 0;
  /** Instructions since the last zero, read from a fresh dump. */
  const window = async (body: () => Promise<void>): Promise<number> => {
    await exec('callgrind_control', ['-z', String(server.pid)]);
    await body();
    await exec('callgrind_control', ['-d', String(server.pid)]);
    dumps++;
    const text = await readFile(join(dir, `cg.out.${dumps}`), 'utf8');
    return Number(/^summary: (\d+)$/m.exec(text)?.[1] ?? NaN);
  };
  const node = createClient({ url });
  node.on('error', () => undefined);
  const io = new Redis(url, { lazyConnect: true });
  io.on('error', () => undefined);
  try {
    await waitUntil(async () => node.connect().then(() => true, () => false), { timeoutMs: 60_000, intervalMs: 500, what: 'Redis under valgrind' });
    await io.connect();
    const results: ServerCost[] = [];
    const measure = async (name: string, op: (i: number) => Promise<void>) => {
      for (let i = 0; i < 50; i++) await op(i);
      const total = await window(async () => {
        for (let i = 0; i < N; i++) await op(i);
      });
      results.push({ name, perOp: total / N });
    };

    // @x/lock: A holds; B's acquire joins the queue; A's release hands it to B; then the roles swap.
    const adapterA = createRedisAdapter(node);
    const other = node.duplicate();
    other.on('error', () => undefined);
    await other.connect();
    const adapterB = createRedisAdapter(other);
    const lockA = createLock(adapterA, 'cost', { ttlMs: 30_000 });
    const lockB = createLock(adapterB, 'cost', { ttlMs: 30_000 });
    let held = await lockA.acquire();
    let [next, after] = [lockB, lockA];
    await measure('@x/lock: acquire (joins the queue) + release (grants it, publishes to the waiter)', async () => {
      const waits = next.stats.waits;
      const waiting = next.acquire();
      // Its acquire has joined the queue once it waits (watched locally: polling Redis would add to the count).
      while (next.stats.waits === waits) await yieldToLoop();
      await held.release();
      held = await waiting;
      [next, after] = [after, next];
    });
    await held.release();
    await measure('@x/lock: acquire + release, nobody waiting', async () => {
      await (await lockA.acquire()).release();
    });
    await lockA.close();
    await lockB.close();
    await other.close();

    const semName = 'cost:semaphore';
    await measure('redis-semaphore Mutex: acquire (SET NX) + release', async () => {
      const mutex = new Mutex(io, semName, { lockTimeout: 30_000, acquireTimeout: 1_000 });
      await mutex.acquire();
      await mutex.release();
    });
    const holder = new Mutex(io, semName, { lockTimeout: 600_000 });
    await holder.acquire();
    await measure('redis-semaphore Mutex: one failed try (polling, per retry)', async () => {
      if (await new Mutex(io, semName, { lockTimeout: 30_000, acquireAttemptsLimit: 1 }).tryAcquire()) throw new Error('the held mutex was acquired');
    });
    await holder.release();

    const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";
    const sha = String(await node.sendCommand(['SCRIPT', 'LOAD', RELEASE]));
    await measure('raw SET NX PX + release script', async (i) => {
      await node.sendCommand(['SET', 'cost:raw', `t${i}`, 'NX', 'PX', '30000']);
      await node.sendCommand(['EVALSHA', sha, '1', 'cost:raw', `t${i}`]);
    });

    const sub = node.duplicate();
    sub.on('error', () => undefined);
    await sub.connect();
    let heard = 0;
    await sub.subscribe('cost:relay', () => void heard++);

    const handOffSha = String(await node.sendCommand(['SCRIPT', 'LOAD', HAND_OFF]));
    const joinSha = String(await node.sendCommand(['SCRIPT', 'LOAD', JOIN]));
    await node.sendCommand(['SET', 'cost:floor', 'w0', 'PX', '30000']);
    let holderIndex = 0;
    await measure('fair floor: hand-off + join scripts (the contention floor, per acquisition)', async (i) => {
      const next = `w${holderIndex + 1}`;
      await node.sendCommand(['EVALSHA', joinSha, '2', 'cost:floor', 'cost:floor:waiters', next, String(i)]);
      const receivers = Number(await node.sendCommand(['EVALSHA', handOffSha, '2', 'cost:floor', 'cost:floor:fence', `w${holderIndex}`, next, '30000', 'cost:relay']));
      if (receivers !== 1) throw new Error(`the floor hand-off reached ${receivers} subscribers`);
      holderIndex++;
    });
    await measure('fair floor: PUBLISH to a subscribed connection', async () => {
      await node.publish('cost:relay', '1');
    });
    await sub.close();
    if (heard === 0) throw new Error('the relay subscriber heard nothing');
    return results;
  } finally {
    await node.close().catch(() => undefined);
    io.disconnect();
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    await rm(dir, { recursive: true, force: true });
  }
}

/** Ready-to-print lines: instructions per operation and the ratio to the floor. */
export function formatServerCost(results: ServerCost[]): string[] {
  const floor = results.at(-1)!.perOp;
  return results.map((r) => `  ${r.name.padEnd(88)} ${Math.round(r.perOp).toLocaleString('en-US').padStart(9)} instructions  ${(r.perOp / floor).toFixed(2)}x floor`);
}
