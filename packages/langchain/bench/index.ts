/**
 * `pnpm --filter @x/langchain bench`: RedisChatMessageHistory.addMessages of 2 and
 * 4 messages and getMessages, side by side with the official @langchain/redis
 * RedisChatMessageHistory (LPUSH then EXPIRE per message), on loopback and through
 * a latency proxy. Against a harness-started standalone redis-server (or REDIS_URL).
 */
import { randomUUID } from 'node:crypto';
import type { BaseListChatMessageHistory } from '@langchain/core/chat_history';
import { AIMessage, HumanMessage, type BaseMessage } from '@langchain/core/messages';
import { RedisChatMessageHistory as LangChainRedisHistory } from '@langchain/redis';
import { startDelayProxy } from '@x/tooling/proxy';
import { runBench, type BenchCase, type BenchReport } from '@x/tooling/bench';
import { connectClient, resolveRedis } from '@x/tooling/redis';
import { RedisChatMessageHistory } from '../src/index.js';

/** One-way delay of the latency proxy: loopback hides what a round trip costs on a real network. */
const DELAY_MS = 1;
const TTL_MS = 86_400_000;
const SESSIONS = 256;
const HISTORY = 20;

const turn = (i: number): BaseMessage[] => [
  new HumanMessage(`Question ${i}: I cannot log in since this morning, can you help me reset my password?`),
  new AIMessage({
    content: `Answer ${i}: Sure. Open Settings, then Security, then Reset password; a link goes to your e-mail.`,
    response_metadata: { model_name: 'gpt-x', finish_reason: 'stop' },
    usage_metadata: { input_tokens: 42, output_tokens: 31, total_tokens: 73 },
  }),
];
const two = turn(0);
const four = [...turn(1), ...turn(2)];

/** Round-robin over `SESSIONS` histories, each seeded with `HISTORY` messages. */
async function family(make: (i: number) => BaseListChatMessageHistory) {
  const histories = Array.from({ length: SESSIONS }, (_, i) => make(i));
  for (const h of histories) {
    await h.clear();
    await h.addMessages(Array.from({ length: HISTORY / 2 }, (_, i) => turn(i)).flat());
  }
  let next = 0;
  return { next: () => histories[next++ % SESSIONS]!, all: histories };
}

async function targets(url: string, label: string, closers: (() => Promise<unknown>)[]) {
  const client = await connectClient(url);
  closers.push(() => client.close());
  const prefix = `bench-lc-${label}-${randomUUID().slice(0, 8)}`;
  // @langchain/redis keeps one node-redis 4 client per config object: one config object, one client.
  const config = { url };
  const ours = await family((i) => new RedisChatMessageHistory(client, { prefix, sessionId: `s${i}`, ttlMs: TTL_MS, maxMessages: 1000 }));
  const theirs = await family(
    (i) => new LangChainRedisHistory({ sessionId: `${prefix}:official:s${i}`, sessionTTL: TTL_MS / 1000, config }),
  );
  closers.push(async () => {
    for (const h of [...ours.all, ...theirs.all]) await h.clear();
    const lcClient = (theirs.all[0] as unknown as { client: { isOpen: boolean; quit(): Promise<unknown> } }).client;
    if (lcClient.isOpen) await lcClient.quit();
  });
  return { ours: ours.next, theirs: theirs.next };
}

function group(name: string, t: { ours: () => BaseListChatMessageHistory; theirs: () => BaseListChatMessageHistory }, op: (h: BaseListChatMessageHistory) => Promise<unknown>): BenchCase[] {
  return [
    { group: name, name: '@langchain/redis RedisChatMessageHistory', baseline: true, fn: () => op(t.theirs()) },
    { group: name, name: '@x/langchain RedisChatMessageHistory', fn: () => op(t.ours()) },
  ];
}

async function main(): Promise<void> {
  const redis = await resolveRedis('standalone');
  const closers: (() => Promise<unknown>)[] = [];
  try {
    const proxy = await startDelayProxy(Number(new URL(redis.url).port), DELAY_MS);
    closers.push(proxy.stop);
    const rtt = `${2 * DELAY_MS} ms RTT (delay proxy)`;
    // Each group gets its own histories, so what one group writes never grows another's.
    const fresh = (url: string, label: string) => targets(url, label, closers);
    const cases: BenchCase[] = [
      ...group('addMessages (2 messages), loopback', await fresh(redis.url, 'add2'), (h) => h.addMessages(two)),
      ...group('addMessages (4 messages), loopback', await fresh(redis.url, 'add4'), (h) => h.addMessages(four)),
      ...group(`getMessages (${HISTORY} messages), loopback`, await fresh(redis.url, 'get'), (h) => h.getMessages()),
      ...group(`addMessages (2 messages), ${rtt}`, await fresh(proxy.url, 'add2-rtt'), (h) => h.addMessages(two)),
      ...group(`addMessages (4 messages), ${rtt}`, await fresh(proxy.url, 'add4-rtt'), (h) => h.addMessages(four)),
      ...group(`getMessages (${HISTORY} messages), ${rtt}`, await fresh(proxy.url, 'get-rtt'), (h) => h.getMessages()),
    ];
    const report = await runBench({
      title: '@x/langchain',
      notes: [
        redis.summary,
        `${SESSIONS} histories per case (new ones for each group), round robin, each seeded with ${HISTORY} messages (adds make them grow)`,
        'messages: a human question and an AI answer with response and usage metadata, ~100 characters of text each',
        '@langchain/redis 1.1.2: addMessages = addMessage per message = LPUSH then EXPIRE (2 round trips per message), its own node-redis 4 client',
        '@x/langchain: one script call per addMessages (push, trim to maxMessages 1000, TTL of every key), node-redis 6 client',
        `"${rtt}": the same clients through a TCP proxy (child process) holding each chunk ${DELAY_MS} ms per direction`,
      ],
      cases,
    });
    printTargets(report, rtt);
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await redis.stop();
  }
}

/** The issue's target, read off the report (the bench never fails on it). */
function printTargets(report: BenchReport, rtt: string): void {
  console.log('\ntarget (issue): our addMessages of 4 messages >= 4x @langchain/redis at loopback, more at 1-2 ms RTT');
  for (const g of ['addMessages (2 messages), loopback', 'addMessages (4 messages), loopback', `addMessages (2 messages), ${rtt}`, `addMessages (4 messages), ${rtt}`]) {
    const ours = report.results.find((r) => r.group === g && r.name.startsWith('@x/langchain') && r.status === 'ok');
    const p50 = ours?.vsBaseline?.p50;
    const ops = ours?.vsBaseline?.opsPerSec;
    const speedup = p50 === undefined ? 'n/a' : `${(1 / p50).toFixed(2)}x faster at p50`;
    console.log(`  ${g}: ${speedup}, ${ops === undefined ? 'n/a' : `${ops.toFixed(2)}x ops/s`}`);
  }
}

await main();
