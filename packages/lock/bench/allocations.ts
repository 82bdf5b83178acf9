// Heap bytes allocated and commands sent per acquire and per release, uncontended, in one
// process started by bench/index.ts with `--expose-gc --max-semi-space-size=256`: with a young
// generation that large no collection runs inside a window (a window in which one did is
// discarded), so the growth of the used heap over the window is what it allocated.
// argv[2]: the Redis URL. Prints one JSON line.
import { randomBytes } from 'node:crypto';
import { PerformanceObserver } from 'node:perf_hooks';
import { createClient } from 'redis';
import { createRedisAdapter } from '@x/redis-adapter';
import { createLock, type HeldLock } from '../dist/index.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
let collections = 0;
new PerformanceObserver((list) => (collections += list.getEntries().length)).observe({ entryTypes: ['gc'] });

const client = createClient({ url: process.argv[2] });
client.on('error', () => undefined);
await client.connect();
const adapter = createRedisAdapter(client);
const run = randomBytes(3).toString('hex');
const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";
const sha = String(await client.sendCommand(['SCRIPT', 'LOAD', RELEASE]));

const N = 200;
const WINDOWS = 7;

/** Median bytes per operation over several windows of N operations, each without a collection inside. */
async function perOp(prepare: () => Promise<void>, op: (i: number) => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let tries = 0; samples.length < WINDOWS && tries < WINDOWS * 4; tries++) {
    await prepare();
    const forced = collections;
    gc!();
    // The observer hears of the forced collection a little later: wait for it before starting.
    for (let waited = 0; collections === forced && waited < 100; waited++) await new Promise((r) => setTimeout(r, 1));
    const before = collections;
    const start = process.memoryUsage().heapUsed;
    for (let i = 0; i < N; i++) await op(i);
    const end = process.memoryUsage().heapUsed;
    await new Promise((r) => setTimeout(r, 20)); // a collection inside the window is reported by now
    if (collections === before) samples.push((end - start) / N);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? NaN;
}

const commandsOf = async (body: () => Promise<unknown>) => {
  const before = adapter.stats.commands;
  await body();
  return adapter.stats.commands - before;
};

// @x/lock: N locks acquired in one window, released in the next.
let round = 0;
const locks = Array.from({ length: N }, (_, i) => createLock(adapter, `alloc:${run}:${i}`, { ttlMs: 30_000 }));
let held: HeldLock[] = [];
const lockAcquire = await perOp(
  async () => {
    for (const h of held) await h.release();
    held = [];
  },
  async (i) => held.push(await locks[i]!.acquire()),
);
const lockRelease = await perOp(
  async () => {
    for (const h of held) if (h.isHeld()) await h.release();
    held = [];
    for (const l of locks) held.push(await l.acquire());
  },
  (i) => held[i]!.release(),
);
for (const h of held) if (h.isHeld()) await h.release();
const acquireCommands = await commandsOf(async () => (held = [await locks[0]!.acquire()]));
const releaseCommands = await commandsOf(() => held[0]!.release());

// Raw node-redis: SET NX PX with a random token, and the release script by EVALSHA.
let tokens: string[] = [];
const rawKey = (i: number) => `alloc:${run}:raw:${round}:${i}`;
const rawAcquire = await perOp(
  async () => {
    round++;
    tokens = [];
  },
  async (i) => {
    const token = randomBytes(16).toString('hex');
    await client.sendCommand(['SET', rawKey(i), token, 'NX', 'PX', '30000']);
    tokens.push(token);
  },
);
const rawRelease = await perOp(
  async () => {
    round++;
    tokens = [];
    for (let i = 0; i < N; i++) {
      const token = randomBytes(16).toString('hex');
      await client.sendCommand(['SET', rawKey(i), token, 'NX', 'PX', '30000']);
      tokens.push(token);
    }
  },
  (i) => client.sendCommand(['EVALSHA', sha, '1', rawKey(i), tokens[i]!]),
);

process.stdout.write(
  `${JSON.stringify({ lockAcquire, lockRelease, rawAcquire, rawRelease, acquireCommands, releaseCommands, windows: WINDOWS, n: N })}\n`,
);
await adapter.close();
await client.close();
