import { buildGraph } from './graph.js';
import type { Services } from './services.js';
import { TRIAGE, answerFor, expectedHandoffs, type PlannedConversation } from './workload.js';

/** One checked invariant: what it says, whether it held, and the first violations. */
export interface InvariantResult {
  name: string;
  ok: boolean;
  violations: string[];
}

const noop = () => undefined;

/** Reads everything back (from Redis in redis mode) and checks what the demo promises. */
export async function checkInvariants(
  services: Services,
  plans: readonly PlannedConversation[],
): Promise<InvariantResult[]> {
  const graph = buildGraph(services, new Map(plans.map((p) => [p.id, p])), {
    cacheHit: noop,
    cacheMiss: noop,
    handoff: noop,
  });
  const results = new Map<string, string[]>();
  const names = [
    'every conversation completed exactly once',
    'no message lost or duplicated (exact log, in order)',
    'message counts match the logs (session, checkpoint, context buffer)',
    'every handoff recorded once',
    'fencing tokens strictly increasing per conversation',
    'chain/thread registry consistent in both directions',
    'every approval interrupt resumed once',
  ] as const;
  for (const n of names) results.set(n, []);
  const fail = (n: (typeof names)[number], msg: string) => results.get(n)!.push(msg);

  const completions = await services.queue.completions();
  const pending = await services.queue.pending();
  if (pending.length > 0) fail(names[0], `${pending.length} still pending, e.g. ${JSON.stringify(pending[0])}`);

  const checkOne = async (p: PlannedConversation) => {
    const n = completions.get(p.id) ?? 0;
    if (n !== 1) fail(names[0], `${JSON.stringify(p.id)} completed ${n} times`);

    const expected = p.turns.flatMap((t, i) => [
      { role: 'user', content: t.question, turn: i },
      { role: 'assistant', agent: t.specialist, content: answerFor(t.specialist, t.question), turn: i },
    ]);
    const [messages, session, history, tokens, uuid, chain, buffer, state] = await Promise.all([
      services.sessions.getMessages(p.id),
      services.sessions.getSession(p.id),
      services.sessions.getHandoffHistory(p.id),
      services.queue.tokens(p.id),
      services.registry.uuidOf(p.id),
      services.registry.chainOf(p.threadId),
      services.buffers.get(p.threadId),
      graph.getState({ configurable: { thread_id: p.threadId } }),
    ]);
    if (JSON.stringify(messages) !== JSON.stringify(expected)) {
      fail(names[1], `${JSON.stringify(p.id)}: ${messages.length} messages, expected ${expected.length} (first difference at ${messages.findIndex((m, i) => JSON.stringify(m) !== JSON.stringify(expected[i]))})`);
    }
    const values = state.values as { turn?: number; log?: string[]; approvals?: string[] };
    const counts = {
      messageCount: session?.messageCount,
      responses: session?.responses,
      checkpointTurns: values.turn,
      checkpointLog: values.log?.length,
      bufferSlots: buffer.length,
    };
    const want = { messageCount: 2 * p.turns.length, responses: p.turns.length, checkpointTurns: p.turns.length, checkpointLog: p.turns.length, bufferSlots: p.turns.length };
    if (JSON.stringify(counts) !== JSON.stringify(want)) fail(names[2], `${JSON.stringify(p.id)}: ${JSON.stringify(counts)}`);
    if (buffer.some((slot, i) => slot.turn !== i || slot.agent !== p.turns[i]!.specialist)) {
      fail(names[2], `${JSON.stringify(p.id)}: context buffer slots out of order`);
    }

    const wantHandoffs = expectedHandoffs(p);
    const gotHandoffs = history.map((h) => ({ from: h.from, to: h.to }));
    if (JSON.stringify(gotHandoffs) !== JSON.stringify(wantHandoffs) || session?.handoffs !== wantHandoffs.length) {
      fail(names[3], `${JSON.stringify(p.id)}: ${JSON.stringify(gotHandoffs)} vs expected ${JSON.stringify(wantHandoffs)}`);
    }
    if (session && session.currentAgent !== (p.turns.at(-1)?.specialist ?? TRIAGE)) {
      fail(names[3], `${JSON.stringify(p.id)}: current agent ${session.currentAgent}`);
    }

    if (tokens.length === 0 || tokens.some((t, i) => i > 0 && t <= tokens[i - 1]!)) {
      fail(names[4], `${JSON.stringify(p.id)}: ${JSON.stringify(tokens)}`);
    }
    if (uuid !== p.threadId || chain !== p.id) {
      fail(names[5], `${JSON.stringify(p.id)} -> ${uuid}, ${p.threadId} -> ${JSON.stringify(chain)}`);
    }
    const wantApprovals = p.turns.filter((t) => t.needsApproval).length;
    if ((values.approvals?.length ?? 0) !== wantApprovals) {
      fail(names[6], `${JSON.stringify(p.id)}: ${values.approvals?.length ?? 0} approvals, expected ${wantApprovals}`);
    }
  };

  for (let i = 0; i < plans.length; i += 50) await Promise.all(plans.slice(i, i + 50).map(checkOne));
  return names.map((name) => {
    const v = results.get(name)!;
    return { name, ok: v.length === 0, violations: v.slice(0, 5) };
  });
}
