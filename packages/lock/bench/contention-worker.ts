// One contending process of the contention bench (bench/contention.ts). Reads JSON commands on
// stdin, one a line: { contender, name, startAt, durationMs, ttlMs, holdMs }; loops acquire ->
// critical section (a holdMs timer, or one event-loop turn for 0) -> release on one lock from
// startAt (epoch ms) for durationMs, then prints
// { acquiredAt[], releasedAt[], attempts?, commands?, cpuUs } (epoch ms; CPU time of the run in µs) as one JSON line.
// `xlock`, `bare` and the relay floors also report, per acquisition, handedAt (when the hand-off announcement reached
// this process's listener, 0 when the acquire did not wait for one) and sentAt (when the release
// script was handed to the client): they split the hand-off gap into the releaser's work before
// sending, the trip through Redis to the next process, and the next holder's work after it.
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import { Redlock } from '@sesamecare-oss/redlock';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { Mutex } from 'redis-semaphore';
import { lock as lockScripts } from '@x/lua-scripts';
import { createRedisAdapter } from '@x/redis-adapter';
import { createLock, DEFAULT_PREFIX, lockKeys, type Lock } from '../dist/index.js';
import { HAND_OFF, JOIN } from './floor-scripts.js';

const url = process.argv[2]!;
const epochNow = () => performance.timeOrigin + performance.now();
const say = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

const node = createClient({ url });
node.on('error', () => undefined);
await node.connect();
const adapter = createRedisAdapter(node);
/** Hand-off path timestamps (epoch ms) of @x/lock: the last announcement that reached this process, the last release script sent. */
const handOff = { arrivedAt: 0, releaseSentAt: 0 };
{
  // The bench's own adapter object gets two wrappers (own properties): the lock calls
  // `adapter.subscribe` for its inbox and `adapter.runScript` for every script.
  const subscribe = adapter.subscribe.bind(adapter) as (channel: string, listener: (message: string) => void, options?: object) => Promise<unknown>;
  const runScript = adapter.runScript.bind(adapter);
  Object.assign(adapter, {
    subscribe: (channel: string, listener: (message: string) => void, options?: object) =>
      subscribe(
        channel,
        (message) => {
          handOff.arrivedAt = epochNow();
          listener(message);
        },
        options,
      ),
    runScript: (...args: Parameters<typeof runScript>) => {
      if (args[0] === lockScripts.release) handOff.releaseSentAt = epochNow();
      return runScript(...args);
    },
  });
}
const io = new Redis(url);
io.on('error', () => undefined);
const redlock = new Redlock([io], { retryCount: -1 });
redlock.on('error', () => undefined);
const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";
const releaseSha = String(await node.sendCommand(['SCRIPT', 'LOAD', RELEASE]));
const handOffSha = String(await node.sendCommand(['SCRIPT', 'LOAD', HAND_OFF]));
const joinSha = String(await node.sendCommand(['SCRIPT', 'LOAD', JOIN]));
/** How long after the end a relay worker waits for the baton's last round before it stops anyway. */
const FINISH_GRACE_MS = 2000;
/** The lock's defaults that the bare client passes as @x/lock does: fence TTL (a day) and queue entry lease. */
const BARE_FENCE_TTL_MS = '86400000';
const BARE_ENTRY_TTL_MS = '6000';
/** How long the raw baseline sleeps between SET NX tries (redis-semaphore's default retry interval). */
const RAW_RETRY_MS = 10;

interface Command {
  contender: 'xlock' | 'semaphore' | 'redlock' | 'raw' | 'relay' | 'scripted' | 'joined' | 'bare';
  /** This worker's place in the round-robin of the relay, and the number of workers. */
  index: number;
  processes: number;
  name: string;
  startAt: number;
  durationMs: number;
  ttlMs: number;
  holdMs: number;
}

/**
 * The floor of any fair hand-off between processes, with no lock at all: a baton passed
 * round-robin by PUBLISH on each worker's own channel. Each worker holds it for the critical
 * section and passes it on; past the end it passes it once more and stops. `scripted`: the
 * baton is passed by the {@link HAND_OFF} script (bench/floor-scripts.ts) instead (the floor of a scripted fair lock);
 * `joined`: by that script, followed by one {@link JOIN} call (the floor of a queued lock, whose
 * waiters say they wait).
 */
async function relay(c: Command) {
  const scripted = c.contender !== 'relay';
  const joins = c.contender === 'joined';
  const acquiredAt: number[] = [];
  const releasedAt: number[] = [];
  const sub = node.duplicate();
  sub.on('error', () => undefined);
  await sub.connect();
  const endAt = c.startAt + c.durationMs;
  const next = `${c.name}:${(c.index + 1) % c.processes}`;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  /** Passes the baton on; before the end, again until the next worker hears it (it may subscribe late). */
  const fenceKey = `${c.name}:fence`;
  const send = scripted
    ? async () => {
        const receivers = Number(
          await node.sendCommand(['EVALSHA', handOffSha, '2', c.name, fenceKey, `w${c.index}`, `w${(c.index + 1) % c.processes}`, String(c.ttlMs), next]),
        );
        if (receivers < 0) throw new Error(`scripted relay: worker ${c.index} passed a baton it did not own`);
        return receivers;
      }
    : () => node.publish(next, '1');
  const waitersKey = `${c.name}:waiters`;
  let joinedAt = 0;
  const pass = async () => {
    while ((await send()) === 0 && epochNow() < endAt) await sleep(1);
    // `joined`: then "acquire" again, as a worker looping on a queued lock does: one join call.
    if (joins) await node.sendCommand(['EVALSHA', joinSha, '2', c.name, waitersKey, `w${c.index}`, String(++joinedAt)]);
  };
  const handedAt: number[] = [];
  const sentAt: number[] = [];
  const hold = async () => {
    if (epochNow() < endAt) {
      // The baton arrived: this worker holds it from now (arrival and acquisition are one moment).
      const at = epochNow();
      acquiredAt.push(at);
      handedAt.push(at);
      if (c.holdMs > 0) await sleep(c.holdMs);
      else await yieldToLoop();
      releasedAt.push(epochNow());
      sentAt.push(epochNow());
      await pass();
    } else {
      await pass();
      finish();
    }
  };
  await sub.subscribe(`${c.name}:${c.index}`, () => void hold());
  if (scripted && c.index === 0) await node.sendCommand(['SET', c.name, 'w0', 'PX', String(c.ttlMs)]);
  await sleep(Math.max(0, c.startAt - epochNow()));
  const cpuBefore = process.cpuUsage();
  if (c.index === 0) void hold();
  // The baton normally comes round once more after the end; should a last PUBLISH find nobody (a worker
  // that already left), do not wait for it forever: the run's acquisitions are all recorded by then.
  await Promise.race([finished, sleep(Math.max(0, endAt + FINISH_GRACE_MS - epochNow()))]);
  const cpu = process.cpuUsage(cpuBefore);
  await sub.close();
  say({ acquiredAt, releasedAt, handedAt, sentAt, cpuUs: cpu.user + cpu.system });
}

/**
 * @x/lock's own acquire and release scripts (the same keys, arguments and inbox channel), driven
 * by a bare client: EVALSHA through node-redis, the hand-off read straight off the subscriber.
 * Against `xlock` it splits the hand-off into what the scripts cost and what the package's
 * client path costs.
 */
async function bare(c: Command) {
  const acquiredAt: number[] = [];
  const releasedAt: number[] = [];
  const k = lockKeys(DEFAULT_PREFIX, c.name);
  const keys = [k.lock, k.fence, k.queue, k.waiters];
  const channel = k.channel;
  const inbox = randomBytes(6).toString('hex');
  for (const s of [lockScripts.acquire, lockScripts.release]) await node.sendCommand(['SCRIPT', 'LOAD', s.source]);
  const sub = node.duplicate();
  sub.on('error', () => undefined);
  await sub.connect();
  const handedAt: number[] = [];
  const sentAt: number[] = [];
  let arrivedAt = 0;
  let granted: ((owner: string) => void) | undefined;
  await sub.subscribe(`${channel}:${inbox}`, (message) => {
    arrivedAt = epochNow();
    granted?.(message.slice(0, message.lastIndexOf(':')));
  });
  let attempts = 0;
  const acquire = async (owner: string) => {
    const handed = new Promise<void>((resolve) => (granted = (to) => to === owner && resolve()));
    attempts++;
    const reply = (await node.sendCommand(
      ['EVALSHA', lockScripts.acquire.sha1, '4', ...keys, owner, String(c.ttlMs), BARE_FENCE_TTL_MS, '2', BARE_ENTRY_TTL_MS, String(c.ttlMs), channel, 'PUBLISH', inbox],
    )) as [number, number];
    if (reply[0] !== 1) await handed;
  };
  await sleep(Math.max(0, c.startAt - epochNow()));
  const cpuBefore = process.cpuUsage();
  const endAt = c.startAt + c.durationMs;
  while (epochNow() < endAt) {
    const owner = randomBytes(16).toString('hex');
    arrivedAt = 0;
    await acquire(owner);
    acquiredAt.push(epochNow());
    handedAt.push(arrivedAt);
    if (c.holdMs > 0) await sleep(c.holdMs);
    else await yieldToLoop();
    releasedAt.push(epochNow());
    sentAt.push(epochNow());
    await node.sendCommand(['EVALSHA', lockScripts.release.sha1, '4', ...keys, owner, BARE_FENCE_TTL_MS, channel, 'PUBLISH']);
  }
  const cpu = process.cpuUsage(cpuBefore);
  await sub.close();
  say({ acquiredAt, releasedAt, handedAt, sentAt, cpuUs: cpu.user + cpu.system, attempts });
}

async function run(c: Command) {
  if (c.contender === 'relay' || c.contender === 'scripted' || c.contender === 'joined') return relay(c);
  if (c.contender === 'bare') return bare(c);
  const acquiredAt: number[] = [];
  const releasedAt: number[] = [];
  let rawAttempts = 0;
  let lock: Lock | undefined;
  let acquire: () => Promise<() => Promise<unknown>>;
  if (c.contender === 'xlock') {
    const l = createLock(adapter, c.name, { ttlMs: c.ttlMs });
    lock = l;
    acquire = async () => {
      const held = await l.acquire();
      return () => held.release();
    };
  } else if (c.contender === 'semaphore') {
    acquire = async () => {
      const mutex = new Mutex(io, c.name, { lockTimeout: c.ttlMs, acquireTimeout: 600_000 });
      await mutex.acquire();
      return () => mutex.release();
    };
  } else if (c.contender === 'redlock') {
    acquire = async () => {
      const l = await redlock.acquire([c.name], c.ttlMs);
      return () => l.release();
    };
  } else {
    acquire = async () => {
      const token = randomBytes(16).toString('hex');
      for (;;) {
        rawAttempts++;
        if (String(await node.sendCommand(['SET', c.name, token, 'NX', 'PX', String(c.ttlMs)])) === 'OK') break;
        await sleep(RAW_RETRY_MS);
      }
      return () => node.sendCommand(['EVALSHA', releaseSha, '1', c.name, token]);
    };
  }
  const commandsBefore = adapter.stats.commands;
  await sleep(Math.max(0, c.startAt - epochNow()));
  const cpuBefore = process.cpuUsage();
  const endAt = c.startAt + c.durationMs;
  const handedAt: number[] = [];
  const sentAt: number[] = [];
  while (epochNow() < endAt) {
    handOff.arrivedAt = 0;
    const release = await acquire();
    acquiredAt.push(epochNow());
    handedAt.push(handOff.arrivedAt);
    // The critical section: a short timer, or one event-loop turn.
    if (c.holdMs > 0) await sleep(c.holdMs);
    else await yieldToLoop();
    releasedAt.push(epochNow());
    await release();
    sentAt.push(handOff.releaseSentAt);
  }
  const cpu = process.cpuUsage(cpuBefore);
  say({
    acquiredAt,
    releasedAt,
    cpuUs: cpu.user + cpu.system,
    handedAt: lock ? handedAt : undefined,
    sentAt: lock ? sentAt : undefined,
    attempts: lock ? lock.stats.attempts : c.contender === 'raw' ? rawAttempts : undefined,
    commands: lock ? adapter.stats.commands - commandsBefore : undefined,
    queueRefreshes: lock?.stats.queueRefreshes,
    stats: process.env.X_LOCK_BENCH_DEBUG ? lock?.stats : undefined,
  });
  await lock?.close();
}

say({ ready: true });
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'exit') break;
  await run(JSON.parse(line) as Command);
}
await adapter.close();
await node.close();
io.disconnect();
process.exit(0);
