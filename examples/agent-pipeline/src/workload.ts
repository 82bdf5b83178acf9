import { createHash } from 'node:crypto';

/** The specialists the triage agent hands conversations to. */
export const SPECIALISTS = ['billing', 'tech-support', 'accounts', 'shipping'] as const;
export type Specialist = (typeof SPECIALISTS)[number];
export const TRIAGE = 'triage';

/** What customers ask; a small pool, so repeated questions hit the response cache. */
const QUESTIONS: readonly { text: string; topic: Specialist }[] = [
  { text: 'Why was I charged twice this month?', topic: 'billing' },
  { text: 'Can I get a refund for my last invoice?', topic: 'billing' },
  { text: 'How do I change my payment card?', topic: 'billing' },
  { text: 'The app crashes when I open settings.', topic: 'tech-support' },
  { text: 'I cannot log in after the update.', topic: 'tech-support' },
  { text: 'Sync is stuck at 99 percent.', topic: 'tech-support' },
  { text: 'How do I add a teammate to my account?', topic: 'accounts' },
  { text: 'Please close my account.', topic: 'accounts' },
  { text: 'How do I reset two-factor authentication?', topic: 'accounts' },
  { text: 'Where is my parcel?', topic: 'shipping' },
  { text: 'Can I change the delivery address?', topic: 'shipping' },
  { text: 'My order arrived damaged.', topic: 'shipping' },
];

/** One user turn of a planned conversation. */
export interface PlannedTurn {
  question: string;
  specialist: Specialist;
  /** This turn's answer needs a human approval (an interrupt resumed by a later step). */
  needsApproval: boolean;
}

/** One conversation of the workload. */
export interface PlannedConversation {
  /** The chain id (user-facing); odd characters on purpose: ids are data. */
  id: string;
  /** The LangGraph thread id (a uuid), registered against the chain id. */
  threadId: string;
  turns: PlannedTurn[];
}

/** mulberry32: a small, good-enough seeded PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uuidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const TENANTS = ['acme', 'acme:eu', 'globex {beta}', 'initech*', 'umbrella/ü'];

/** The whole workload, the same for every process given the same seed. */
export function planWorkload(seed: number, conversations: number, turns: number): PlannedConversation[] {
  const rand = prng(seed);
  const out: PlannedConversation[] = [];
  for (let i = 0; i < conversations; i++) {
    const tenant = TENANTS[Math.floor(rand() * TENANTS.length)]!;
    const id = `${tenant}:conv-${i}`;
    const planned: PlannedTurn[] = [];
    for (let t = 0; t < turns; t++) {
      const q = QUESTIONS[Math.floor(rand() * QUESTIONS.length)]!;
      planned.push({ question: q.text, specialist: q.topic, needsApproval: rand() < 0.1 });
    }
    out.push({ id, threadId: uuidFrom(`${seed}:${id}`), turns: planned });
  }
  return out;
}

/** The deterministic "model": the answer a specialist gives to a question. */
export function answerFor(specialist: Specialist, question: string): string {
  return `[${specialist}] About "${question}": here is what we will do next.`;
}

/** Simulated model latency and token counts for an answer (deterministic per question). */
export function modelCost(question: string): { latencyMs: number; inputTokens: number; outputTokens: number } {
  const h = createHash('sha1').update(question).digest();
  return { latencyMs: 5 + (h[0]! % 16), inputTokens: 20 + (h[1]! % 80), outputTokens: 40 + (h[2]! % 160) };
}

/** The cache key of a question: the same question hits the same cached answer in every conversation. */
export function queryHashOf(specialist: Specialist, question: string): string {
  return createHash('sha256').update(`${specialist}\n${question}`).digest('hex').slice(0, 32);
}

/** The handoffs a conversation must have recorded once each: triage to the first specialist, then every change. */
export function expectedHandoffs(c: PlannedConversation): { from: string; to: string }[] {
  const out: { from: string; to: string }[] = [];
  let current = TRIAGE;
  for (const t of c.turns) {
    if (t.specialist !== current) {
      out.push({ from: current, to: t.specialist });
      current = t.specialist;
    }
  }
  return out;
}
