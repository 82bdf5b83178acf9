/**
 * `pnpm --filter @x/openai-agents bench`: RedisSession side by side with the SDK's
 * in-memory MemorySession and a naive Redis list session (RPUSH then EXPIRE per
 * write, LRANGE per read), for a whole agent run (scripted model, one tool call),
 * addItems of the 4 items a run writes, and getItems; on loopback and through a
 * latency proxy. Against a harness-started standalone redis-server (or REDIS_URL).
 */
import { randomUUID } from 'node:crypto';
import { Agent, MemorySession, Runner, tool, type AgentInputItem, type Session } from '@openai/agents-core';
import { ScriptedModel, assistantMessage, functionCall } from '@openai/agents-core/testing';
import { startDelayProxy } from '@x/tooling/proxy';
import { runBench, type BenchCase } from '@x/tooling/bench';
import { connectClient, resolveRedis, type RedisClient } from '@x/tooling/redis';
import { RedisSession } from '../src/index.js';

/** One-way delay of the latency proxy: loopback hides what a round trip costs on a real network. */
const DELAY_MS = 1;
const TTL_MS = 86_400_000;
const SESSIONS = 256;
const HISTORY = 20;

/** The straightforward Redis session: a list per session, RPUSH then EXPIRE, LRANGE to read. */
class NaiveListSession implements Session {
  constructor(
    private readonly client: RedisClient,
    private readonly key: string,
  ) {}
  async getSessionId() {
    return this.key;
  }
  async getItems(limit?: number): Promise<AgentInputItem[]> {
    const raw = await this.client.lRange(this.key, limit === undefined ? 0 : -limit, -1);
    return raw.map((s) => JSON.parse(s) as AgentInputItem);
  }
  async addItems(items: AgentInputItem[]) {
    if (items.length === 0) return;
    await this.client.rPush(this.key, items.map((i) => JSON.stringify(i)));
    await this.client.pExpire(this.key, TTL_MS);
  }
  async popItem() {
    const raw = await this.client.rPop(this.key);
    return raw === null ? undefined : (JSON.parse(raw) as AgentInputItem);
  }
  async clearSession() {
    await this.client.del(this.key);
  }
}

const history = (n: number): AgentInputItem[] =>
  Array.from({ length: n }, (_, i) =>
    i % 2
      ? ({ type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: `Answer ${i}: it is sunny in Paris, 24°C.` }] } as AgentInputItem)
      : ({ type: 'message', role: 'user', content: `Question ${i}: what is the weather in Paris today?` } as AgentInputItem),
  );

/** An agent with one tool whose scripted model calls the tool, then answers; two steps queued per run. */
function benchAgent() {
  const model = new ScriptedModel();
  const getWeather = tool({
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
    strict: true,
    execute: async () => 'sunny, 24°C',
  });
  const agent = new Agent({ name: 'bench', model, tools: [getWeather] });
  const runner = new Runner({ tracingDisabled: true });
  let n = 0;
  return (session: Session) => {
    n++;
    model.enqueue([functionCall('get_weather', { city: 'Paris' }, { callId: `call_${n}` })], [assistantMessage('Sunny, 24°C.')]);
    return runner.run(agent, 'Weather in Paris?', { session });
  };
}

/** Round-robin over `SESSIONS` sessions of one kind, each seeded with `HISTORY` items. */
async function family(make: (i: number) => Session): Promise<() => Session> {
  const sessions = Array.from({ length: SESSIONS }, (_, i) => make(i));
  for (const s of sessions) {
    await s.clearSession();
    await s.addItems(history(HISTORY));
  }
  let turn = 0;
  return () => sessions[turn++ % SESSIONS]!;
}

async function targets(url: string, label: string, closers: (() => Promise<unknown>)[]) {
  const client = await connectClient(url);
  closers.push(() => client.close());
  const prefix = `bench-oa-${label}-${randomUUID().slice(0, 8)}`;
  const ours = await family((i) => new RedisSession(client, { prefix, sessionId: `s${i}`, ttlMs: TTL_MS, maxItems: 1000 }));
  const naive = await family((i) => new NaiveListSession(client, `${prefix}:naive:s${i}`));
  closers.push(async () => {
    for (let i = 0; i < SESSIONS; i++) {
      await ours().clearSession();
      await naive().clearSession();
    }
  });
  return { ours, naive };
}

function groupCases(
  group: string,
  sessions: { memory?: () => Session; naive: () => Session; ours: () => Session },
  op: (session: Session) => Promise<unknown>,
): BenchCase[] {
  const cases: BenchCase[] = [{ group, name: 'naive Redis list session', baseline: true, fn: () => op(sessions.naive()) }];
  cases.push({ group, name: '@x/openai-agents RedisSession', fn: () => op(sessions.ours()) });
  if (sessions.memory) cases.push({ group, name: 'SDK MemorySession (no Redis)', fn: () => op(sessions.memory!()) });
  return cases;
}

async function main(): Promise<void> {
  const redis = await resolveRedis('standalone');
  const closers: (() => Promise<unknown>)[] = [];
  try {
    const proxy = await startDelayProxy(Number(new URL(redis.url).port), DELAY_MS);
    closers.push(proxy.stop);
    // Each group gets its own sessions, so what one group writes never grows another's histories.
    const fresh = async (url: string, label: string, withMemory: boolean) => ({
      ...(await targets(url, label, closers)),
      ...(withMemory ? { memory: await family(() => new MemorySession()) } : {}),
    });
    const four = history(4);
    const rtt = `${2 * DELAY_MS} ms RTT (delay proxy)`;
    const run = benchAgent();
    const cases: BenchCase[] = [
      ...groupCases('agent run (history read + 4 items written), loopback', await fresh(redis.url, 'run', true), run),
      ...groupCases('addItems (4 items), loopback', await fresh(redis.url, 'add', true), (s) => s.addItems(four)),
      ...groupCases(`getItems (${HISTORY} items), loopback`, await fresh(redis.url, 'get', true), (s) => s.getItems()),
      ...groupCases(`agent run, ${rtt}`, await fresh(proxy.url, 'run-rtt', false), run),
      ...groupCases(`addItems (4 items), ${rtt}`, await fresh(proxy.url, 'add-rtt', false), (s) => s.addItems(four)),
      ...groupCases(`getItems (${HISTORY} items), ${rtt}`, await fresh(proxy.url, 'get-rtt', false), (s) => s.getItems()),
    ];
    await runBench({
      title: '@x/openai-agents',
      notes: [
        redis.summary,
        `${SESSIONS} sessions per case (new ones for each group), round robin, each seeded with ${HISTORY} items (runs and adds make them grow)`,
        'agent run: SDK Runner, scripted model (a get_weather tool call, then the answer): one history read, one write of 4 items',
        'naive Redis list session: RPUSH then PEXPIRE (2 round trips per write, no trim, not atomic), LRANGE per read',
        'RedisSession: one script call per write (push, trim to maxItems 1000, TTL of every key), one LRANGE per read',
        `"${rtt}": the same clients through a TCP proxy (child process) holding each chunk ${DELAY_MS} ms per direction`,
      ],
      cases,
    });
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await redis.stop();
  }
}

await main();
