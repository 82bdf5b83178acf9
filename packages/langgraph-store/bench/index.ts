// pnpm --filter @x/langgraph-store bench
// RedisStore side by side with LangGraph's InMemoryStore and PostgresStore
// (@langchain/langgraph-checkpoint-postgres/store, when a PostgreSQL answers on
// 127.0.0.1:5432) in one run: get, put (an update), search with a filter in one
// user's namespace, and listNamespaces under a prefix that spans every user, at
// 1 000 and 100 000 items (100 items per user namespace ['users', id, 'memories']).
// STORE_BENCH_SIZES=1000,10000 picks other sizes.
import { randomBytes } from 'node:crypto';
import { BaseStore, InMemoryStore } from '@langchain/langgraph-checkpoint';
import { PostgresStore } from '@langchain/langgraph-checkpoint-postgres/store';
import { createClient } from 'redis';
import { isQuick, runBench, type BenchCase } from '@x/tooling/bench';
import { resolveRedis } from '@x/tooling/redis';
import { RedisStore } from '../src/index.js';

const quick = isQuick();
const SIZES = (process.env.STORE_BENCH_SIZES ?? (quick ? '1000' : '1000,100000')).split(',').map(Number);
const PER_USER = 100;
const PG_URL = process.env.PG_BENCH_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const run = randomBytes(3).toString('hex');

const redisServer = await resolveRedis('standalone');
const client = createClient({ url: redisServer.url });
client.on('error', () => undefined);
await client.connect();

const ns = (user: number) => ['users', `u${user}`, 'memories'];
const valueOf = (i: number) => ({ text: `memory ${i} `.padEnd(120, '.'), kind: i % 3 === 0 ? 'fact' : 'episode', score: i % 100, tags: ['a', 'b'] });

async function fill(store: BaseStore, n: number): Promise<void> {
  const users = Math.max(1, n / PER_USER);
  const CHUNK = 1000;
  for (let start = 0; start < n; start += CHUNK) {
    const ops = [];
    for (let i = start; i < Math.min(n, start + CHUNK); i += 1) ops.push({ namespace: ns(i % users), key: `k${i}`, value: valueOf(i) });
    await store.batch(ops);
  }
}

let seed = 1;
const random = (n: number) => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % n;
};

interface Contender {
  name: string;
  make: (size: number) => Promise<BaseStore>;
  close: (store: BaseStore, size: number) => Promise<void>;
  skip?: string;
}

/** The pool PostgresStore keeps (private; the bench drops its schema through it). */
const poolOf = (store: BaseStore) => (store as unknown as { core: { pool: { query(sql: string): Promise<unknown> } } }).core.pool;

let pgSkip: string | undefined;
try {
  const probe = PostgresStore.fromConnString(`${PG_URL}?connect_timeout=2`, { schema: `bench_probe_${run}` });
  await poolOf(probe).query('SELECT 1');
  await probe.stop();
} catch (err) {
  pgSkip = `PostgreSQL not reachable at ${PG_URL}: ${(err as Error).message}`;
}

const contenders: Contender[] = [
  {
    name: '@x/langgraph-store RedisStore',
    make: async (size) => new RedisStore(client as never, { prefix: `bench-${run}-${size}` }),
    close: async (store) => {
      const s = store as RedisStore;
      for await (const keys of client.scanIterator({ MATCH: `${s.keys.keyspace.prefix}:*`, COUNT: 1000 })) if (keys.length) await client.unlink(keys);
      await s.close();
    },
  },
  { name: 'InMemoryStore', make: async () => new InMemoryStore(), close: async () => undefined },
  {
    name: 'PostgresStore (127.0.0.1)',
    ...(pgSkip ? { skip: pgSkip } : {}),
    make: async (size) => {
      const store = PostgresStore.fromConnString(PG_URL, { schema: `bench_store_${run}_${size}` });
      await store.setup();
      return store;
    },
    close: async (store, size) => {
      await poolOf(store).query(`DROP SCHEMA IF EXISTS "bench_store_${run}_${size}" CASCADE`);
      await (store as PostgresStore).stop();
    },
  },
];

const cases: BenchCase[] = [];
for (const size of SIZES) {
  const users = Math.max(1, size / PER_USER);
  for (const c of contenders) {
    let store: BaseStore | undefined;
    const base = { name: c.name, baseline: c.name === 'InMemoryStore', ...(c.skip ? { skip: c.skip } : {}) };
    const first = {
      async setup() {
        store = await c.make(size);
        await fill(store, size);
      },
    };
    const ops: [string, () => Promise<unknown>, Partial<BenchCase>][] = [
      ['get', () => store!.get(ns(random(users)), `k${random(size)}`), first],
      ['put (update)', () => { const i = random(size); return store!.put(ns(i % users), `k${i}`, valueOf(i + 1)); }, {}],
      ['search(filter) one user, limit 10', () => store!.search(ns(random(users)), { filter: { kind: 'fact', score: { $gte: 50 } }, limit: 10 }), {}],
      ['listNamespaces(prefix users, limit 100)', () => store!.listNamespaces({ prefix: ['users'], limit: 100 }), { teardown: async () => store && c.close(store, size) }],
    ];
    for (const [op, fn, extra] of ops) cases.push({ ...base, group: `${op} @ ${size.toLocaleString('en')} items`, fn, durationMs: 1500, ...extra });
  }
}

await runBench({
  title: '@x/langgraph-store: RedisStore vs InMemoryStore vs PostgresStore',
  notes: [
    redisServer.summary,
    `sizes ${SIZES.join(', ')} items, ${PER_USER} per user namespace; one caller; the machine is shared (2 cores, load ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')})`,
  ],
  cases,
  rounds: Number(process.env.X_BENCH_ROUNDS) || (quick ? 1 : 3),
});
await client.close();
await redisServer.stop();
