/**
 * `pnpm --filter @x/atomic-ops bench`: appendMessage side by side with
 * LangChain.js RedisChatMessageHistory.addMessage, a WATCH/MULTI append in the
 * style of the OpenAI Agents SDK Redis session, and a raw one-EVALSHA RPUSH
 * baseline; one client and 64 concurrent clients; then recordResponse, handoff
 * and the reads; appends with `durability: { replicas: 1 }` against plain ones (a
 * local replica). Against a harness-started standalone redis-server (or REDIS_URL).
 */
import { randomUUID } from 'node:crypto';
import { HumanMessage } from '@langchain/core/messages';
import { RedisChatMessageHistory } from '@langchain/redis';
import { atomicOps, defineScript } from '@x/lua-scripts';
import { startDelayProxy } from '@x/tooling/proxy';
import { runBench, type BenchCase, type BenchReport } from '@x/tooling/bench';
import { connectClient, replicaOf, resolveRedis, startStandalone, type RedisClient } from '@x/tooling/redis';
import { AtomicOperations } from '../src/index.js';

const CONCURRENCY = 64;
/** One-way delay of the latency proxy: loopback hides what a round trip costs on a real network. */
const DELAY_MS = 1;
const TTL_MS = 3_600_000;
const MAX_MESSAGES = 100;
const content = 'Hello! I cannot log in since this morning, can you help me reset my password? Thanks.';
const message = { role: 'user', content };

const rawPush = defineScript({
  name: 'bench/raw-rpush',
  source: "return redis.call('RPUSH', KEYS[1], ARGV[1])",
  keys: ['list'],
  args: ['message'],
});

/**
 * A WATCH/MULTI append in the style of the OpenAI Agents SDK Redis session:
 * three keys without a shared hash tag (metadata hash, message list, counter),
 * optimistic locking with retries, then a separate pipeline for the TTLs.
 * Round trips per append: WATCH, read, MULTI..EXEC, EXPIRE pipeline = 4 (more on retries).
 * WATCH needs a connection of its own, so each concurrent caller takes one from a pool.
 */
class WatchMultiSession {
  constructor(
    private readonly client: RedisClient,
    readonly sessionId: string,
    private readonly ttlSeconds: number,
  ) {}
  private get sessionKey() {
    return `bench:watch:session:${this.sessionId}`;
  }
  private get messagesKey() {
    return `${this.sessionKey}:messages`;
  }
  private get counterKey() {
    return `${this.sessionKey}:counter`;
  }

  async addItems(items: object[]): Promise<number> {
    const serialized = items.map((item) => JSON.stringify(item));
    for (let attempt = 0; attempt < 50; attempt++) {
      await this.client.watch([this.sessionKey, this.messagesKey, this.counterKey]);
      const current = Number((await this.client.get(this.counterKey)) ?? 0);
      const now = String(Math.floor(Date.now() / 1000));
      try {
        await this.client
          .multi()
          .hSet(this.sessionKey, { session_id: this.sessionId, updated_at: now })
          .hSetNX(this.sessionKey, 'created_at', now)
          .rPush(this.messagesKey, serialized)
          .set(this.counterKey, String(current + items.length))
          .exec();
      } catch (err) {
        if ((err as Error).name === 'WatchError') continue;
        throw err;
      }
      await this.client
        .multi()
        .expire(this.sessionKey, this.ttlSeconds)
        .expire(this.messagesKey, this.ttlSeconds)
        .expire(this.counterKey, this.ttlSeconds)
        .execAsPipeline();
      return current + items.length;
    }
    throw new Error('WATCH/MULTI append gave up after 50 retries');
  }
}


/** Hands each concurrent caller a free item (a dedicated connection), round-robin otherwise. */
class Pool<T> {
  private readonly free: T[];
  constructor(items: T[]) {
    this.free = [...items];
  }
  async use<R>(fn: (item: T) => Promise<R>): Promise<R> {
    const item = this.free.pop();
    if (item === undefined) throw new Error('pool exhausted');
    try {
      return await fn(item);
    } finally {
      this.free.push(item);
    }
  }
}

/** Everything the cases of one Redis address need, each with its own connections. */
async function setup(url: string, label: string, closers: (() => Promise<unknown>)[]) {
  const client = await connectClient(url);
  closers.push(() => client.close());
  const ops = new AtomicOperations(client, { prefix: `bench-${label}-${randomUUID().slice(0, 8)}`, ttlMs: TTL_MS });
  const sessionOps = new AtomicOperations(client, {
    prefix: `bench-${label}-${randomUUID().slice(0, 8)}`,
    ttlMs: TTL_MS,
    cacheScope: 'session',
  });
  const sessions = Array.from({ length: CONCURRENCY }, (_, i) => `bench-${label}-session-${i}`);

  // LangChain: one history per session over its own node-redis 4 client (shared by config object).
  const langchainConfig = { url };
  const histories = sessions.map(
    (sessionId) =>
      new RedisChatMessageHistory({ sessionId: `bench:lc:${sessionId}`, sessionTTL: TTL_MS / 1000, config: langchainConfig }),
  );
  closers.push(async () => {
    const lcClient = (histories[0] as unknown as { client: { isOpen: boolean; quit(): Promise<unknown> } }).client;
    if (lcClient.isOpen) await lcClient.quit();
  });

  // WATCH/MULTI: one dedicated connection per concurrent caller, each with its own session.
  const watchClients: RedisClient[] = [];
  for (let i = 0; i < CONCURRENCY; i++) watchClients.push(await connectClient(url));
  closers.push(() => Promise.all(watchClients.map((c) => c.close())));
  const watchPool = new Pool(watchClients.map((c, i) => new WatchMultiSession(c, sessions[i]!, TTL_MS / 1000)));

  const evalsha = (script: { sha1: string; source: string }, args: string[]) =>
    client.sendCommand(['EVALSHA', script.sha1, ...args]).catch(async (err: Error) => {
      if (!err.message.startsWith('NOSCRIPT')) throw err;
      return client.sendCommand(['EVAL', script.source, ...args]);
    });
  const raw = (i: number) => evalsha(rawPush, ['1', `bench:raw:{${label}-${i}}:messages`, JSON.stringify(message)]);
  // The package's append script sent directly: what the server work costs without validation and the adapter.
  const rawAppend = (i: number) => {
    const keys = ops.keys.sessionScriptKeys(ops.keys.session(`${sessions[i]}-raw`));
    return evalsha(atomicOps.append, [String(keys.length), ...keys, String(MAX_MESSAGES), String(TTL_MS), '', '10000', JSON.stringify(message)]);
  };
  return { client, ops, sessionOps, sessions, histories, watchPool, raw, rawAppend };
}

type Target = Awaited<ReturnType<typeof setup>>;

/**
 * Appends with `durability: { replicas: 1 }` (WAIT behind the script) against plain
 * appends, side by side, with a local redis-server replicating `url`; none when no
 * local binary can start one.
 */
async function durabilityCases(t: Target, url: string, closers: (() => Promise<unknown>)[]): Promise<BenchCase[]> {
  const replica = await startStandalone().catch(() => undefined);
  if (replica === undefined) return [];
  closers.push(() => replica.stop());
  const master = new URL(url);
  await replicaOf({ host: replica.host, port: replica.port }, { host: master.hostname, port: Number(master.port) }, 20_000);
  const durable = new AtomicOperations(t.client, {
    prefix: `bench-durable-${randomUUID().slice(0, 8)}`,
    ttlMs: TTL_MS,
    durability: { replicas: 1, timeoutMs: 5000 },
  });
  const cases: BenchCase[] = [];
  for (const concurrency of [1, CONCURRENCY]) {
    const group = `append, durability, ${concurrency === 1 ? '1 client' : `${concurrency} concurrent clients`}`;
    let turn = 0;
    const session = () => t.sessions[turn++ % CONCURRENCY]!;
    cases.push(
      { group, name: '@x/atomic-ops appendMessage', baseline: true, concurrency, fn: () => t.ops.appendMessage(session(), message, { maxMessages: MAX_MESSAGES }) },
      { group, name: '  with durability { replicas: 1 }', concurrency, fn: () => durable.appendMessage(`${session()}-durable`, message, { maxMessages: MAX_MESSAGES }) },
    );
  }
  return cases;
}

function appendCases(t: Target, group: string, concurrency: number, next: () => number): BenchCase[] {
  const session = () => (concurrency === 1 ? 0 : next());
  return [
    { group, name: 'raw EVALSHA RPUSH (node-redis)', baseline: true, concurrency, fn: () => t.raw(session()) },
    {
      group,
      name: '@x/atomic-ops appendMessage',
      concurrency,
      fn: () => t.ops.appendMessage(t.sessions[session()]!, message, { maxMessages: MAX_MESSAGES }),
    },
    { group, name: '  (its script sent raw, no package)', concurrency, fn: () => t.rawAppend(session()) },
    {
      group,
      name: 'LangChain RedisChatMessageHistory.addMessage',
      concurrency,
      fn: () => t.histories[session()]!.addMessage(new HumanMessage(content)),
    },
    {
      group,
      name: 'WATCH/MULTI (OpenAI Agents SDK style)',
      concurrency,
      fn: () => t.watchPool.use((s) => s.addItems([message])),
    },
  ];
}

function recordCase(ops: AtomicOperations, group: string, name: string, next: () => number): BenchCase {
  return {
    group,
    name,
    fn: () =>
      ops.recordResponse({
        sessionId: 'bench-record',
        queryHash: `q-${next()}`,
        response: { text: content },
        userMessage: message,
        assistantMessage: { role: 'assistant', content },
        latencyMs: 812.5,
        inputTokens: 42,
        outputTokens: 120,
        maxMessages: MAX_MESSAGES,
      }),
  };
}

function handoffCase(ops: AtomicOperations, group: string, counter: { n: number }): BenchCase {
  return {
    group,
    name: 'handoff (fresh session each call)',
    fn: () =>
      ops.handoff({
        sessionId: `bench-handoff-${counter.n++}`,
        fromAgent: 'triage',
        toAgent: 'billing',
        context: { reason: 'refund' },
        ttlMs: 120_000,
        lockTtlMs: 120_000,
      }),
  };
}

async function main(): Promise<void> {
  const redis = await resolveRedis('standalone');
  const closers: (() => Promise<unknown>)[] = [];
  try {
    const port = Number(new URL(redis.url).port);
    const proxy = await startDelayProxy(port, DELAY_MS);
    closers.push(proxy.stop);
    const local = await setup(redis.url, 'loopback', closers);
    const far = await setup(`redis://127.0.0.1:${proxy.port}`, 'rtt', closers);
    let turn = 0;
    const next = () => turn++ % CONCURRENCY;
    const handoffs = { n: 0 };
    const opsGroup = 'other operations, 1 client';
    const rttGroup = `1 client, ${2 * DELAY_MS} ms RTT (delay proxy)`;
    const cases: BenchCase[] = [
      ...appendCases(local, 'append, 1 client', 1, next),
      ...appendCases(local, `append, ${CONCURRENCY} concurrent clients`, CONCURRENCY, next),
      { group: opsGroup, name: 'raw EVALSHA RPUSH (node-redis)', baseline: true, fn: () => local.raw(0) },
      recordCase(local.ops, opsGroup, 'recordResponse (global cache, 1 script)', next),
      recordCase(local.sessionOps, opsGroup, 'recordResponse (session cache)', next),
      handoffCase(local.ops, opsGroup, handoffs),
      { group: opsGroup, name: 'getCachedResponse (hit)', fn: () => local.ops.getCachedResponse('q-1') },
      { group: opsGroup, name: 'getMessages (last 20)', fn: () => local.ops.getMessages(local.sessions[0]!, { last: 20 }) },
      { group: opsGroup, name: 'getSession', fn: () => local.ops.getSession(local.sessions[0]!) },
      ...appendCases(far, rttGroup, 1, next).filter((c) => !c.name.startsWith('  ')),
      recordCase(far.ops, rttGroup, 'recordResponse (global cache, 1 script)', next),
      handoffCase(far.ops, rttGroup, handoffs),
      ...(await durabilityCases(local, redis.url, closers)),
    ];

    const report = await runBench({
      title: '@x/atomic-ops',
      notes: [
        redis.summary,
        `message: ${JSON.stringify(message).length} bytes JSON; appendMessage with maxMessages ${MAX_MESSAGES}, TTL refresh of every session key`,
        'our cases and the raw baselines share one node-redis 6 client (default options); LangChain uses its own node-redis 4 client',
        'LangChain: LPUSH + EXPIRE (2 round trips); WATCH/MULTI: WATCH, GET, MULTI..EXEC, EXPIRE pipeline (4 round trips), one connection per caller',
        `${CONCURRENCY} concurrent clients: ${CONCURRENCY} sessions, round robin (WATCH/MULTI: one session per connection)`,
        `"${rttGroup}": the same clients through a TCP proxy (child process) holding each chunk ${DELAY_MS} ms per direction`,
        '"append, durability": the same append with WAIT 1 replica pipelined behind it; the replica is a second redis-server on this host',
      ],
      cases,
    });
    printTargets(report, rttGroup);
  } finally {
    for (const [i, close] of closers.reverse().entries()) {
      await withTimeout(close(), 5000, `teardown step ${i} (${close.toString().slice(0, 60)})`).catch(() => undefined);
    }
    await redis.stop();
  }
}

/** The issue's targets, read off the report (the bench never fails on them). */
function printTargets(report: BenchReport, rttGroup: string): void {
  const find = (group: string, prefix: string) =>
    report.results.find((r) => r.group === group && r.name.startsWith(prefix) && r.status === 'ok');
  console.log('\ntargets (issue #4), append:');
  for (const group of ['append, 1 client', rttGroup]) {
    const ours = find(group, '@x/atomic-ops');
    const lines: [string, number | undefined, (v: number) => boolean, string][] = [
      ['p50 vs raw baseline', ours?.vsBaseline?.p50, (v) => v <= 1.3, '<= 1.30x'],
      ['LangChain p50 / ours', ratio(find(group, 'LangChain')?.latencyMs?.p50, ours?.latencyMs?.p50), (v) => v >= 2, '>= 2x'],
      ['WATCH/MULTI p50 / ours', ratio(find(group, 'WATCH/MULTI')?.latencyMs?.p50, ours?.latencyMs?.p50), (v) => v >= 3, '>= 3x'],
    ];
    console.log(`  [${group}]`);
    for (const [name, value, ok, goal] of lines) print(name, value, ok, goal);
  }
  const many = find(`append, ${CONCURRENCY} concurrent clients`, '@x/atomic-ops');
  console.log(`  [append, ${CONCURRENCY} concurrent clients]`);
  print('throughput vs raw baseline', many?.vsBaseline?.opsPerSec, (v) => v >= 0.8, '>= 0.80x');
}

function print(name: string, value: number | undefined, ok: (v: number) => boolean, goal: string): void {
  const shown = value === undefined ? 'n/a' : `${value.toFixed(2)}x`;
  console.log(`    ${value !== undefined && ok(value) ? 'met ' : 'MISS'}  ${name}: ${shown} (target ${goal})`);
}

/** Gives up on a promise after `ms` (teardown must not hang the bench). */
function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      console.error(`${what} timed out`);
      resolve(undefined);
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined || b === 0 ? undefined : a / b;
}

await main();
