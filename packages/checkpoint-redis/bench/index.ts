// pnpm --filter @x/checkpoint-redis bench
// RedisSaver side by side with MemorySaver, SqliteSaver (in memory), PostgresSaver
// (127.0.0.1:5432 when a PostgreSQL answers there) and raw node-redis doing the
// minimal equivalent commands, in one run: put, getTuple (latest and by id) and
// list (last 10) on a thread with 10 channels, at history sizes 20 and 2 000.
import { randomBytes } from 'node:crypto';
import type { RunnableConfig } from '@langchain/core/runnables';
import { MemorySaver, uuid6, type BaseCheckpointSaver, type Checkpoint, type CheckpointMetadata } from '@langchain/langgraph-checkpoint';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { createClient } from 'redis';
import { isQuick, runBench, type BenchCase, type CaseResult } from '@x/tooling/bench';
import { resolveRedis } from '@x/tooling/redis';
import { RedisSaver } from '../src/index.js';

const quick = isQuick();
const SIZES = [20, 2000] as const;
const CHANNELS = Array.from({ length: 10 }, (_, i) => `channel_${i}`);
const PG_URL = process.env.PG_BENCH_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const run = randomBytes(3).toString('hex');

const redis = await resolveRedis('standalone');
const node = createClient({ url: redis.url });
node.on('error', () => undefined);
await node.connect();

// ------------------------------------------------------------------ data

function value(step: number, channel: number) {
  return { step, channel, text: `value ${step}/${channel} `.padEnd(300, '.'), tags: ['a', 'b', 'c'], n: step * 10 + channel };
}

/** Step i changes 2 of the 10 channels (all 10 at step 0), with 2 pending writes. */
function stepOf(i: number, prevVersions: Record<string, number>) {
  const changed = i === 0 ? CHANNELS : [CHANNELS[i % 10]!, CHANNELS[(i + 3) % 10]!];
  const versions = { ...prevVersions };
  const newVersions: Record<string, number> = {};
  for (const c of changed) newVersions[c] = versions[c] = (versions[c] ?? 0) + 1;
  const checkpoint: Checkpoint = {
    v: 4,
    id: uuid6(-1),
    ts: new Date().toISOString(),
    channel_values: Object.fromEntries(CHANNELS.map((c, k) => [c, value(i, k)])),
    channel_versions: versions,
    versions_seen: { node: { [CHANNELS[0]!]: i } },
  };
  const metadata = { source: 'loop', step: i, parents: {}, user: 'bench' } as CheckpointMetadata;
  return { checkpoint, metadata, newVersions, versions };
}

interface Thread {
  config: RunnableConfig;
  tip: RunnableConfig;
  versions: Record<string, number>;
  ids: string[];
  steps: number;
}

async function fill(saver: BaseCheckpointSaver, threadId: string, n: number): Promise<Thread> {
  const t: Thread = { config: { configurable: { thread_id: threadId, checkpoint_ns: '' } }, tip: { configurable: { thread_id: threadId, checkpoint_ns: '' } }, versions: {}, ids: [], steps: 0 };
  for (let i = 0; i < n; i++) await append(saver, t);
  return t;
}

async function append(saver: BaseCheckpointSaver, t: Thread, withWrites = true): Promise<void> {
  const s = stepOf(t.steps++, t.versions);
  t.tip = await saver.put(t.tip, s.checkpoint, s.metadata, s.newVersions);
  t.versions = s.versions;
  t.ids.push(s.checkpoint.id);
  if (withWrites) await saver.putWrites(t.tip, [[CHANNELS[1]!, value(t.steps, 1)], ['__pregel_tasks', { node: 'x', args: {} }]], `task-${t.steps}`, '~__pregel_pull, node');
}

// ------------------------------------------------------------- contenders

interface Contender {
  name: string;
  saver?: BaseCheckpointSaver;
  skip?: string;
  /** Minimal equivalent ops for the raw node-redis reference. */
  raw?: RawOps;
  teardown?: () => Promise<void>;
}

const contenders: Contender[] = [];

const redisSaver = new RedisSaver(node as never, { prefix: `bench-${run}` });
contenders.push({
  name: '@x/checkpoint-redis RedisSaver',
  saver: redisSaver,
  async teardown() {
    for await (const keys of redisSaver.redis.scan({ match: `bench-${run}:*` })) for (const k of keys) await node.unlink(k);
  },
});
contenders.push({ name: 'MemorySaver', saver: new MemorySaver() });
const sqlite = SqliteSaver.fromConnString(':memory:');
contenders.push({ name: 'SqliteSaver (:memory:)', saver: sqlite });

let pgSkip: string | undefined;
let postgres: PostgresSaver | undefined;
const schema = `bench_${run}`;
/** PostgresSaver keeps its pg Pool private; the bench needs it for ANALYZE and cleanup. */
const poolOf = (saver: PostgresSaver) => (saver as unknown as { pool: { query(sql: string): Promise<unknown> } }).pool;
try {
  postgres = PostgresSaver.fromConnString(PG_URL, { schema });
  await Promise.race([
    postgres.setup(),
    new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 5 s')), 5000).unref()),
  ]);
} catch (err) {
  await postgres?.end().catch(() => undefined);
  postgres = undefined;
  pgSkip = `no PostgreSQL at ${PG_URL.replace(/\/\/[^@]*@/, '//')} (${(err as Error).message})`;
}
contenders.push({
  name: 'PostgresSaver (127.0.0.1)',
  ...(postgres ? { saver: postgres } : {}),
  ...(pgSkip ? { skip: pgSkip } : {}),
  async teardown() {
    if (!postgres) return;
    await poolOf(postgres).query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await postgres.end();
  },
});

/**
 * Raw node-redis: the least a Redis client could do for the same reads and
 * writes, with none of the saver's semantics (one JSON blob per checkpoint with
 * all its values, a ZSET of ids, a latest pointer).
 */
interface RawOps {
  put(t: string): Promise<unknown>;
  putWrites(t: string, n: number): Promise<unknown>;
  latest(t: string): Promise<unknown>;
  byId(t: string, id: string): Promise<unknown>;
  list10(t: string): Promise<unknown>;
}
const rawKey = (t: string, what: string) => `raw-${run}:{${t}}:${what}`;
const rawOps: RawOps = {
  async put(t) {
    const s = stepOf(rawSteps.get(t) ?? 0, {});
    rawSteps.set(t, (rawSteps.get(t) ?? 0) + 1);
    const json = JSON.stringify(s);
    await node.multi().set(rawKey(t, `cp:${s.checkpoint.id}`), json).set(rawKey(t, 'latest'), json).zAdd(rawKey(t, 'ids'), { score: 0, value: s.checkpoint.id }).exec();
  },
  async putWrites(t, n) {
    const writes = [[CHANNELS[2]!, value(n, 2)], [CHANNELS[3]!, value(n, 3)], ['__pregel_tasks', { node: 'n' }]];
    await node.hSet(rawKey(t, 'writes'), writes.map((w, i) => [`task-${n}:${i}`, JSON.stringify(w)]).flat());
  },
  async latest(t) {
    return JSON.parse((await node.get(rawKey(t, 'latest'))) ?? 'null');
  },
  async byId(t, id) {
    return JSON.parse((await node.get(rawKey(t, `cp:${id}`))) ?? 'null');
  },
  async list10(t) {
    const ids = await node.zRange(rawKey(t, 'ids'), '+', '-', { BY: 'LEX', REV: true, LIMIT: { offset: 0, count: 10 } });
    const values = ids.length ? await node.mGet(ids.map((id) => rawKey(t, `cp:${id}`))) : [];
    return values.map((v) => JSON.parse(v ?? 'null'));
  },
};
const rawSteps = new Map<string, number>();
const rawIds = new Map<string, string[]>();
async function rawFill(t: string, n: number) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    await rawOps.put(t);
  }
  ids.push(...(await node.zRange(rawKey(t, 'ids'), 0, -1)));
  rawIds.set(t, ids);
}
contenders.push({
  name: 'raw node-redis (1 JSON blob per checkpoint)',
  raw: rawOps,
  async teardown() {
    for await (const keys of node.scanIterator({ MATCH: `raw-${run}:*` })) for (const k of keys) await node.unlink(k);
  },
});

// ------------------------------------------------------------------ load

const t0 = performance.now();
const threads = new Map<string, Thread>(); // `${contender}|${purpose}|${size}`
for (const c of contenders) {
  for (const size of SIZES) {
    for (const purpose of ['read', 'put']) {
      const id = `${purpose}-${size}`;
      if (c.saver) threads.set(`${c.name}|${id}`, await fill(c.saver, id, size));
      else if (c.raw) await rawFill(id, size);
    }
  }
}
if (postgres) await poolOf(postgres).query(`ANALYZE "${schema}".checkpoints; ANALYZE "${schema}".checkpoint_blobs; ANALYZE "${schema}".checkpoint_writes`);
const loadMs = performance.now() - t0;

// ----------------------------------------------------------------- cases

let pick = 0;
function middleId(ids: string[]): string {
  // a stable spread of ids away from both ends
  pick = (pick + 7919) % ids.length;
  return ids[Math.floor(ids.length / 4) + (pick % Math.max(1, Math.floor(ids.length / 2)))]!;
}

const cases: BenchCase[] = [];
const ops = ['put', 'putWrites (3 writes)', 'getTuple latest', 'getTuple by id', 'list last 10'] as const;
for (const op of ops) {
  for (const size of SIZES) {
    const group = `${op} @ ${size} checkpoints`;
    for (const c of contenders) {
      // writes go to their own threads, so the read threads keep their shape
      const purpose = op === 'put' || op.startsWith('putWrites') ? 'put' : 'read';
      const threadKey = `${c.name}|${purpose}-${size}`;
      const rawThread = `${purpose}-${size}`;
      let fn: () => Promise<unknown>;
      if (c.saver) {
        const saver = c.saver;
        const t = threads.get(threadKey)!;
        let w = 0;
        fn =
          op === 'put'
            ? () => append(saver, t, false)
            : op === 'putWrites (3 writes)'
              ? () => saver.putWrites(t.tip, [[CHANNELS[2]!, value(w, 2)], [CHANNELS[3]!, value(w, 3)], ['__pregel_tasks', { node: 'n' }]], `bench-task-${w++}`, '~__pregel_pull, n')
            : op === 'getTuple latest'
              ? () => saver.getTuple(t.config)
              : op === 'getTuple by id'
                ? () => saver.getTuple({ configurable: { ...t.config.configurable, checkpoint_id: middleId(t.ids) } })
                : async () => {
                    const out = [];
                    for await (const tuple of saver.list(t.config, { limit: 10 })) out.push(tuple);
                    if (out.length !== 10) throw new Error(`list returned ${out.length}`);
                  };
      } else {
        const raw = c.raw!;
        let w = 0;
        fn =
          op === 'put'
            ? () => raw.put(rawThread)
            : op === 'putWrites (3 writes)'
              ? () => raw.putWrites(rawThread, w++)
            : op === 'getTuple latest'
              ? () => raw.latest(rawThread)
              : op === 'getTuple by id'
                ? () => raw.byId(rawThread, middleId(rawIds.get(rawThread)!))
                : () => raw.list10(rawThread);
      }
      cases.push({
        group,
        name: c.name,
        baseline: c.name.startsWith('PostgresSaver'),
        ...(c.skip ? { skip: c.skip } : {}),
        fn,
        // puts grow the thread: a fixed count keeps the history near its nominal size
        ...(op === 'put' ? { iterations: 300, warmupIterations: 30 } : { durationMs: 1500 }),
      });
    }
  }
}

const report = await runBench({
  title: '@x/checkpoint-redis: LangGraph checkpoint savers',
  cases,
  notes: [
    redis.summary,
    postgres ? `PostgreSQL ${PG_URL.replace(/\/\/[^@]*@/, '//')} (schema ${schema}, ANALYZE after loading)` : `PostgresSaver skipped: ${pgSkip}`,
    `thread: 10 channels (~400 B each), 2 changed per step, 2 pending writes per checkpoint; loaded in ${(loadMs / 1000).toFixed(1)} s`,
    'put: 300 measured puts per case, so the thread grows by ~330 during the case',
    'ratios (x) are against PostgresSaver: ops/s higher is better, p50 lower is better',
  ],
});

// ----------------------------------------------------------------- targets

const p50 = (op: string, size: number, name: string): number | undefined =>
  report.results.find((r: CaseResult) => r.group === `${op} @ ${size} checkpoints` && r.name === name && r.status === 'ok')?.latencyMs?.p50;
const ours = contenders[0]!.name;
const lines: string[] = ['', 'targets:'];
for (const op of ops) {
  for (const size of SIZES) {
    const pgP50 = p50(op, size, 'PostgresSaver (127.0.0.1)');
    const mine = p50(op, size, ours);
    if (pgP50 !== undefined && mine !== undefined) {
      const x = pgP50 / mine;
      lines.push(`  ${x >= 5 ? 'ok  ' : 'MISS'} ${op} @ ${size}: ${x.toFixed(1)}x faster than PostgresSaver (p50 ${mine.toFixed(3)} vs ${pgP50.toFixed(3)} ms; target >= 5x)`);
    }
  }
  const small = p50(op, 20, ours);
  const large = p50(op, 2000, ours);
  if (small !== undefined && large !== undefined) {
    const r = large / small;
    lines.push(`  ${r <= 1.2 ? 'ok  ' : 'MISS'} ${op}: p50 at 2000 is ${r.toFixed(2)}x the p50 at 20 (target <= 1.2x)`);
  }
}
for (const op of ['getTuple latest', 'getTuple by id']) {
  const mem = p50(op, 2000, 'MemorySaver');
  const mine = p50(op, 2000, ours);
  if (mem !== undefined && mine !== undefined) {
    lines.push(`  ${mine < mem ? 'ok  ' : 'MISS'} ${op} @ 2000: ${mine.toFixed(3)} ms vs MemorySaver ${mem.toFixed(3)} ms (target: faster)`);
  }
}
console.log(lines.join('\n'));

for (const c of contenders) await c.teardown?.().catch((err: unknown) => console.error(`teardown ${c.name}:`, err));
sqlite.db.close();
await node.close();
await redis.stop();
