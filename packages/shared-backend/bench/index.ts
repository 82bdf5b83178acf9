/**
 * `pnpm --filter @x/shared-backend bench`: append, read a thread, registry set
 * and registry get through RedisBackend, next to raw node-redis doing the
 * minimal commands (the baseline of each group), the in-memory backend and the
 * process-shared backend (host in its own process), at 64 concurrent callers.
 * Against a harness-started standalone redis-server (or REDIS_URL).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { runBench, type BenchCase, type BenchReport } from '@x/tooling/bench';
import { adminCommand, connectClient, resolveRedis, randomPrefix, startStandalone, waitUntil, type StandaloneHandle } from '@x/tooling/redis';
import { InMemoryBackend, ProcessSharedBackend, RedisBackend, type HostAddress, type SharedBackend } from '../src/index.js';

const CONCURRENCY = 64;
const TTL_MS = 3_600_000;
const THREADS = 1000;
const slot = JSON.stringify({ role: 'user', content: 'Hello! I cannot log in since this morning, can you help me reset my password?' });

async function startHostProcess(): Promise<{ child: ChildProcess; address: HostAddress }> {
  const child = fork(join(import.meta.dirname, 'host-process.ts'), [], { execArgv: ['--import', 'tsx'] });
  const address = await new Promise<HostAddress>((resolve, reject) => {
    child.once('message', (m) => resolve(JSON.parse(String(m)) as HostAddress));
    child.once('exit', (code) => reject(new Error(`host process exited with ${code}`)));
  });
  return { child, address };
}

async function main(): Promise<void> {
  const redis = await resolveRedis('standalone');
  const url = redis.kind === 'standalone' ? redis.url : '';
  const raw = await connectClient(url);
  const host = await startHostProcess();
  const backends: Array<[string, SharedBackend]> = [
    ['RedisBackend', new RedisBackend(url, { prefix: randomPrefix('bench-sb'), ttlMs: TTL_MS })],
    ['InMemoryBackend', new InMemoryBackend({ ttlMs: TTL_MS })],
    ['ProcessSharedBackend (host process)', new ProcessSharedBackend(host.address)],
  ];
  // A replica of the bench server, for the cost of `durability` (WAIT 1 behind every write).
  const replica = await startReplicaOf(url);
  const plain = new RedisBackend(url, { prefix: randomPrefix('bench-dur') });
  const durable = replica === undefined ? undefined : new RedisBackend(url, { prefix: randomPrefix('bench-dur'), durability: { replicas: 1 } });
  const rawPrefix = randomPrefix('bench-raw');
  const rawThread = (i: number) => `${rawPrefix}{t${i % THREADS}}:thread`;
  const rawByChain = `${rawPrefix}{registry}:by-chain`;
  const rawByUuid = `${rawPrefix}{registry}:by-uuid`;

  let n = 0;
  const next = () => n++;
  try {
    // Data for the read cases: 1000 threads of 20 slots, 1000 registry entries.
    for (const [, b] of backends) {
      for (let t = 0; t < 100; t++) for (let i = 0; i < 20; i++) await b.bufferAppend(`read-${t}`, slot);
      for (let i = 0; i < 1000; i++) await b.registrySet(`chain-${i}`, `uuid-${i}`);
    }
    for (let t = 0; t < 100; t++) await raw.rPush(`${rawPrefix}{read-${t}}:thread`, Array(20).fill(slot));
    for (let i = 0; i < 1000; i++) await Promise.all([raw.hSet(rawByChain, `chain-${i}`, `uuid-${i}`), raw.hSet(rawByUuid, `uuid-${i}`, `chain-${i}`)]);

    const group = (name: string, rawCase: () => Promise<unknown>, ours: (b: SharedBackend) => Promise<unknown>): BenchCase[] => [
      { group: name, name: 'raw node-redis (minimal commands)', baseline: true, concurrency: CONCURRENCY, fn: rawCase },
      ...backends.map(([label, b]) => ({ group: name, name: label, concurrency: CONCURRENCY, fn: () => ours(b) })),
    ];
    const cases: BenchCase[] = [
      ...group(
        `append + TTL, ${CONCURRENCY} callers`,
        () => {
          const key = rawThread(next());
          return Promise.all([raw.rPush(key, slot), raw.pExpire(key, TTL_MS)]); // RPUSH + PEXPIRE, not atomic
        },
        (b) => b.bufferAppend(`t${next() % THREADS}`, slot),
      ),
      ...group(
        `read thread (20 slots), ${CONCURRENCY} callers`,
        () => raw.lRange(`${rawPrefix}{read-${next() % 100}}:thread`, 0, -1),
        (b) => b.bufferGetThread(`read-${next() % 100}`),
      ),
      ...group(
        `registry set, ${CONCURRENCY} callers`,
        () => {
          const i = next();
          // HSET both directions: no stale-mapping cleanup, no TTL, not atomic.
          return Promise.all([raw.hSet(rawByChain, `c${i % 10_000}`, `u${i}`), raw.hSet(rawByUuid, `u${i}`, `c${i % 10_000}`)]);
        },
        (b) => {
          const i = next();
          return b.registrySet(`c${i % 10_000}`, `u${i}`); // a new uuid each time: the stale-replacement path
        },
      ),
      ...group(
        `registry get, ${CONCURRENCY} callers`,
        () => raw.hGet(rawByChain, `chain-${next() % 1000}`),
        (b) => b.registryGetUuid(`chain-${next() % 1000}`),
      ),
      { group: `append, durability, ${CONCURRENCY} callers`, name: 'RedisBackend', baseline: true, concurrency: CONCURRENCY, fn: () => plain.bufferAppend(`d${next() % THREADS}`, slot) },
      {
        group: `append, durability, ${CONCURRENCY} callers`,
        name: 'RedisBackend durability { replicas: 1 } (WAIT pipelined)',
        concurrency: CONCURRENCY,
        ...(durable === undefined ? { skip: 'no local redis-server to start a replica' } : { fn: () => durable.bufferAppend(`d${next() % THREADS}`, slot) }),
      },
    ];
    const report = await runBench({
      title: 'shared-backend',
      notes: [
        redis.summary,
        `raw node-redis and RedisBackend each on one connection; ${CONCURRENCY} concurrent callers; ttlMs ${TTL_MS}`,
        'ProcessSharedBackend: client here, SharedBackendHost (in-memory) in a forked process, Unix socket',
      ],
      cases,
    });
    printTargets(report);
  } finally {
    for (const b of [plain, ...(durable === undefined ? [] : [durable])]) {
      await b.bufferClear().catch(() => undefined);
      await b.close();
    }
    await replica?.stop();
    for (const [, b] of backends) {
      await b.bufferClear().catch(() => undefined);
      await b.registryClear().catch(() => undefined);
      await b.close();
    }
    for await (const keys of raw.scanIterator({ MATCH: `${rawPrefix}*`, COUNT: 1000 })) if (keys.length) await raw.del(keys);
    await raw.close();
    host.child.disconnect();
    await redis.stop();
  }
}

/** A local server replicating `url`, synced; undefined when no local binary can start one. */
async function startReplicaOf(url: string): Promise<StandaloneHandle | undefined> {
  const replica = await startStandalone().catch(() => undefined);
  if (replica === undefined) return undefined;
  const master = new URL(url);
  const node = { host: replica.host, port: replica.port };
  await adminCommand(node, ['REPLICAOF', master.hostname, master.port]);
  await waitUntil(async () => (await adminCommand(node, ['INFO', 'replication'])).includes('master_link_status:up'), {
    timeoutMs: 20_000,
    what: 'the bench replica in sync',
  });
  return replica;
}

function printTargets(report: BenchReport): void {
  console.log('\ntarget (issue #5): RedisBackend >= 0.8x the raw baseline throughput at 64 callers');
  for (const r of report.results) {
    if (r.name !== 'RedisBackend' || r.group.startsWith('append, durability')) continue;
    const ratio = r.vsBaseline?.opsPerSec;
    const shown = ratio === undefined ? 'n/a' : `${ratio.toFixed(2)}x`;
    console.log(`  ${ratio !== undefined && ratio >= 0.8 ? 'met ' : 'MISS'}  ${r.group}: ${shown}`);
  }
}

await main();
