import type { AtomicOperations, HandoffEntry, Message, RecordResponseInput, SessionInfo } from '@x/atomic-ops';

/** What the pipeline uses of `@x/atomic-ops`; the memory mode stands in for it in one process. */
export type SessionStore = Pick<
  AtomicOperations,
  'recordResponse' | 'getCachedResponse' | 'handoff' | 'releaseHandoffLock' | 'getSession' | 'getMessages' | 'getHandoffHistory' | 'close'
>;

interface MemSession {
  messages: Message[];
  agent: string | null;
  agents: Set<string>;
  handoffs: HandoffEntry[];
  responses: number;
  inputTokens: number;
  outputTokens: number;
  latencyMs: number;
  ops: Map<string, number>;
  createdAt: number;
  updatedAt: number;
}

/**
 * The memory mode's session log: the same calls in one process, no Redis.
 * It exists so the demo runs anywhere; it shows none of what `@x/atomic-ops`
 * is for (atomicity across processes, TTLs, one round trip).
 */
export class InProcessSessions implements SessionStore {
  #sessions = new Map<string, MemSession>();
  #cache = new Map<string, { response: unknown; hits: number; cachedAt: number }>();

  #session(id: string): MemSession {
    let s = this.#sessions.get(id);
    if (!s) {
      const now = Date.now();
      s = { messages: [], agent: null, agents: new Set(), handoffs: [], responses: 0, inputTokens: 0, outputTokens: 0, latencyMs: 0, ops: new Map(), createdAt: now, updatedAt: now };
      this.#sessions.set(id, s);
    }
    return s;
  }

  async recordResponse(i: RecordResponseInput) {
    const s = this.#session(i.sessionId);
    const seen = i.operationId === undefined ? undefined : s.ops.get(i.operationId);
    if (seen !== undefined) return { messageCount: seen };
    this.#cache.set(i.queryHash, { response: structuredClone(i.response), hits: 0, cachedAt: Date.now() });
    if (i.userMessage) s.messages.push(structuredClone(i.userMessage));
    s.messages.push(structuredClone(i.assistantMessage));
    s.responses++;
    s.inputTokens += i.inputTokens ?? 0;
    s.outputTokens += i.outputTokens ?? 0;
    s.latencyMs += i.latencyMs ?? 0;
    s.updatedAt = Date.now();
    if (i.operationId !== undefined) s.ops.set(i.operationId, s.messages.length);
    return { messageCount: s.messages.length };
  }

  async getCachedResponse<T = unknown>(queryHash: string) {
    const e = this.#cache.get(queryHash);
    if (!e) return null;
    e.hits++;
    return { response: structuredClone(e.response) as T, hits: e.hits, cachedAt: e.cachedAt, ttlMs: null };
  }

  async handoff(i: Parameters<SessionStore['handoff']>[0]) {
    const s = this.#session(i.sessionId);
    s.agent = i.toAgent;
    s.agents.add(i.toAgent);
    const at = Date.now();
    s.handoffs.push({ at, from: i.fromAgent, to: i.toAgent, context: i.context ?? null });
    return { token: `mem-${s.handoffs.length}`, handoffCount: s.handoffs.length, at };
  }

  async releaseHandoffLock() {
    return true;
  }

  async getSession(sessionId: string): Promise<SessionInfo | null> {
    const s = this.#sessions.get(sessionId);
    if (!s) return null;
    return {
      sessionId,
      messageCount: s.messages.length,
      storedMessages: s.messages.length,
      currentAgent: s.agent,
      agentsUsed: [...s.agents].sort(),
      responses: s.responses,
      inputTokens: s.inputTokens,
      outputTokens: s.outputTokens,
      totalLatencyMs: s.latencyMs,
      handoffs: s.handoffs.length,
      handoffContext: s.handoffs.at(-1)?.context ?? null,
      handoffLocked: false,
      createdAt: s.createdAt,
      updatedAt: s.updatedAt,
      lastHandoffAt: s.handoffs.at(-1)?.at ?? null,
      ttlMs: null,
    };
  }

  async getMessages<M extends Message = Message>(sessionId: string): Promise<M[]> {
    return structuredClone(this.#sessions.get(sessionId)?.messages ?? []) as M[];
  }

  async getHandoffHistory<C = unknown>(sessionId: string): Promise<HandoffEntry<C>[]> {
    return structuredClone(this.#sessions.get(sessionId)?.handoffs ?? []) as HandoffEntry<C>[];
  }

  async close() {}
}
