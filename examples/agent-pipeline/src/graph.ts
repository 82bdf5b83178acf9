import { Annotation, END, START, StateGraph, interrupt } from '@langchain/langgraph';
import { isHandoffInProgressError } from '@x/atomic-ops';
import type { Services } from './services.js';
import { TRIAGE, answerFor, modelCost, queryHashOf, type PlannedConversation, type Specialist } from './workload.js';

/** The graph's state, checkpointed by the saver after every step. */
export const PipelineState = Annotation.Root({
  /** The conversation (chain) id. */
  convId: Annotation<string>(),
  /** The question of the current turn. */
  question: Annotation<string>(),
  /** Turns completed so far. */
  turn: Annotation<number>({ reducer: (_, next) => next, default: () => 0 }),
  /** The agent holding the conversation. */
  agent: Annotation<string>({ reducer: (_, next) => next, default: () => TRIAGE }),
  /** The answer of the current turn. */
  answer: Annotation<string>({ reducer: (_, next) => next, default: () => '' }),
  /** Who approved what (turns that needed a human approval). */
  approvals: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
  /** One line per completed turn. */
  log: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
});
type State = typeof PipelineState.State;

/** Counters the nodes report to the worker that runs them. */
export interface NodeEvents {
  cacheHit(): void;
  cacheMiss(): void;
  handoff(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A handoff that waits out a handoff lock left by a worker killed between its handoff and
 * the release. Under the conversation lock no live worker holds that lock, but the dead
 * worker's handoff lock can outlive its conversation lock by up to one lock TTL (it was
 * taken after the lease's last renewal). Any other error is the caller's.
 */
async function handoffWhenFree(services: Services, input: Parameters<Services['sessions']['handoff']>[0]) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await services.sessions.handoff(input);
    } catch (error) {
      // -1 (a lock without expiry) cannot come from this demo; bounded so a bug cannot spin.
      if (!isHandoffInProgressError(error) || error.retryAfterMs < 0 || attempt >= 20) throw error;
      await sleep(error.retryAfterMs + 1);
    }
  }
}

/**
 * The pipeline: triage hands the conversation to the specialist for the
 * question (an atomic handoff), the specialist answers from the response cache
 * or the scripted model and records the turn atomically, some answers wait for
 * a human approval (an interrupt resumed by a later step), and review closes the turn.
 * Every side effect is idempotent, so a step re-run after a crash changes nothing twice.
 */
export function buildGraph(services: Services, plans: ReadonlyMap<string, PlannedConversation>, events: NodeEvents) {
  const planOf = (state: State) => {
    const plan = plans.get(state.convId);
    if (!plan) throw new Error(`no plan for conversation ${state.convId}`);
    const turn = plan.turns[state.turn];
    if (!turn) throw new Error(`conversation ${state.convId} has no turn ${state.turn}`);
    return { plan, turn };
  };

  const triage = async (state: State): Promise<Partial<State>> => {
    const { turn } = planOf(state);
    if (turn.specialist === state.agent) return {};
    // Under the conversation lock this process is the only writer; a re-run after a
    // crash finds the handoff already made and does not record it twice.
    const session = await services.sessions.getSession(state.convId);
    if (session?.currentAgent !== turn.specialist) {
      const { token } = await handoffWhenFree(services, {
        sessionId: state.convId,
        fromAgent: state.agent,
        toAgent: turn.specialist,
        context: { turn: state.turn, question: turn.question },
      });
      await services.sessions.releaseHandoffLock(state.convId, token);
      events.handoff();
    }
    return { agent: turn.specialist };
  };

  const specialist = async (state: State): Promise<Partial<State>> => {
    const { plan, turn } = planOf(state);
    const agent = state.agent as Specialist;
    const queryHash = queryHashOf(agent, turn.question);
    const cached = await services.sessions.getCachedResponse<string>(queryHash);
    let answer: string;
    let cost = { latencyMs: 0, inputTokens: 0, outputTokens: 0 };
    if (cached) {
      answer = cached.response;
      events.cacheHit();
    } else {
      cost = modelCost(turn.question);
      await sleep(cost.latencyMs); // the scripted model "thinks"
      answer = answerFor(agent, turn.question);
      events.cacheMiss();
    }
    await services.sessions.recordResponse({
      sessionId: state.convId,
      queryHash,
      response: answer,
      userMessage: { role: 'user', content: turn.question, turn: state.turn },
      assistantMessage: { role: 'assistant', agent, content: answer, turn: state.turn },
      ...cost,
      operationId: `${state.convId}#turn-${state.turn}`,
    });
    if (process.env.DEMO_INJECT_FAULT === 'duplicate-message' && state.turn === 0) {
      // Test hook: break the "no duplicate" invariant on purpose (the demo must then exit non-zero).
      await services.sessions.recordResponse({
        sessionId: state.convId,
        queryHash,
        response: answer,
        assistantMessage: { role: 'assistant', agent, content: answer, turn: state.turn },
      });
    }
    if ((await services.buffers.length(plan.threadId)) === state.turn) {
      await services.buffers.append(plan.threadId, { turn: state.turn, agent, cacheHit: cached !== null });
    }
    return { answer };
  };

  // Closes the turn; when the plan asks for it, first waits for a human approval
  // (an interrupt that a later unit of work resumes, possibly in another process).
  const review = (state: State): Partial<State> => {
    const { turn } = planOf(state);
    const closed = { turn: state.turn + 1, log: [`turn ${state.turn}: ${state.agent}`] };
    if (!turn.needsApproval) return closed;
    const decision = interrupt<{ turn: number; answer: string }, { approvedBy: string }>({
      turn: state.turn,
      answer: state.answer,
    });
    return { ...closed, approvals: [`turn ${state.turn} approved by ${decision.approvedBy}`] };
  };

  return new StateGraph(PipelineState)
    .addNode('triage', triage)
    .addNode('specialist', specialist)
    .addNode('review', review)
    .addEdge(START, 'triage')
    .addEdge('triage', 'specialist')
    .addEdge('specialist', 'review')
    .addEdge('review', END)
    .compile({ checkpointer: services.checkpointer });
}

export type PipelineGraph = ReturnType<typeof buildGraph>;
