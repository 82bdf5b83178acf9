import { AIMessage, HumanMessage, type BaseMessage } from '@langchain/core/messages';
import type { RunnableConfig } from '@langchain/core/runnables';
import {
  Annotation,
  Command,
  END,
  MessagesAnnotation,
  Send,
  START,
  StateGraph,
  interrupt,
  type BaseCheckpointSaver,
  type StateSnapshot,
} from '@langchain/langgraph';

/** Replaces uuid-like ids by their order of first appearance, and drops timestamps. */
export function normalize(value: unknown): unknown {
  const ids = new Map<string, string>();
  const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b[0-9a-f]{32}\b/g;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      return v.replace(uuid, (m) => {
        if (!ids.has(m)) ids.set(m, `<id${ids.size}>`);
        return ids.get(m)!;
      });
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v instanceof Map) return new Map([...v].map(([k, x]) => [walk(k), walk(x)]));
    if (v && typeof v === 'object') {
      if (typeof (v as { toDict?: unknown }).toDict === 'function' && (v as BaseMessage).getType) {
        const m = v as BaseMessage;
        return { type: m.getType(), content: walk(m.content), id: walk(m.id), tool_calls: walk((m as AIMessage).tool_calls) };
      }
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (k === 'createdAt' || k === 'ts') continue;
        out[walk(k) as string] = walk(x);
      }
      return out;
    }
    return v;
  };
  return walk(value);
}

async function history(graph: { getStateHistory(c: RunnableConfig): AsyncIterableIterator<StateSnapshot> }, config: RunnableConfig) {
  const out: StateSnapshot[] = [];
  for await (const s of graph.getStateHistory(config)) out.push(s);
  return out;
}

/** interrupt() inside a node, resumed with Command({ resume }); then a fork from the past via updateState. */
export async function interruptAndFork(checkpointer: BaseCheckpointSaver, thread: string) {
  const State = Annotation.Root({
    ...MessagesAnnotation.spec,
    approved: Annotation<string | undefined>(),
    log: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
  });
  const graph = new StateGraph(State)
    .addNode('draft', (s) => ({
      messages: [new AIMessage({ content: `draft for: ${s.messages.at(-1)?.content}`, id: `ai-${s.messages.length}` })],
      log: ['draft'],
    }))
    .addNode('review', () => {
      const answer = interrupt({ question: 'approve?' }) as string;
      return { approved: answer, log: [`review:${answer}`] };
    })
    .addNode('finalize', (s) => ({ messages: [new AIMessage({ content: `final (${s.approved})`, id: 'final' })], log: ['final'] }))
    .addEdge(START, 'draft')
    .addEdge('draft', 'review')
    .addEdge('review', 'finalize')
    .addEdge('finalize', END)
    .compile({ checkpointer });
  const config = { configurable: { thread_id: thread } };
  const transcript: unknown[] = [];
  transcript.push(await graph.invoke({ messages: [new HumanMessage({ content: 'hello', id: 'h1' })] }, config));
  const paused = await graph.getState(config);
  transcript.push(paused);
  transcript.push(await graph.invoke(new Command({ resume: 'yes' }), config));
  const past = await history(graph, config);
  transcript.push(past);
  // fork: go back to the checkpoint before review ran and change the draft
  const beforeReview = past.filter((s) => s.next.length === 1 && s.next[0] === 'review').at(-1)!;
  const forkConfig = await graph.updateState(beforeReview.config, {
    messages: [new AIMessage({ content: 'edited draft', id: 'ai-1' })],
  });
  transcript.push(await graph.getState(forkConfig));
  transcript.push(await graph.invoke(null, forkConfig));
  transcript.push(await graph.invoke(new Command({ resume: 'no' }), config));
  transcript.push(await graph.getState(config));
  transcript.push(await history(graph, config));
  return normalize(transcript);
}

/** Send fan-out: parallel tasks whose writes race the checkpoint puts. */
export async function sendFanOut(checkpointer: BaseCheckpointSaver, thread: string) {
  const State = Annotation.Root({
    items: Annotation<number[]>(),
    results: Annotation<number[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
    total: Annotation<number>(),
  });
  const graph = new StateGraph(State)
    .addNode('plan', () => ({}))
    .addNode('work', async (s: { item: number }) => {
      await new Promise((r) => setTimeout(r, (7 - s.item) % 3)); // finish out of order
      return { results: [s.item * 10] };
    })
    .addNode('collect', (s) => ({ total: s.results.reduce((a, b) => a + b, 0) }))
    .addEdge(START, 'plan')
    .addConditionalEdges('plan', (s) => s.items.map((item) => new Send('work', { item })), ['work'])
    .addEdge('work', 'collect')
    .addEdge('collect', END)
    .compile({ checkpointer });
  const config = { configurable: { thread_id: thread } };
  const transcript: unknown[] = [];
  transcript.push(await graph.invoke({ items: [1, 2, 3, 4, 5, 6] }, config));
  transcript.push(await graph.invoke({ items: [7, 8] }, config));
  const states = await history(graph, config);
  // results come from a Topic-like reducer: order depends on the task order LangGraph applies
  transcript.push(states);
  return normalize(transcript);
}

/** A subgraph node with an interrupt inside, state read with subgraphs. */
export async function subgraph(checkpointer: BaseCheckpointSaver, thread: string) {
  const Inner = Annotation.Root({ text: Annotation<string>(), steps: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }) });
  const inner = new StateGraph(Inner)
    .addNode('upper', (s) => ({ text: s.text.toUpperCase(), steps: ['upper'] }))
    .addNode('ask', (s) => {
      const suffix = interrupt(`suffix for ${s.text}?`) as string;
      return { text: `${s.text}${suffix}`, steps: ['ask'] };
    })
    .addEdge(START, 'upper')
    .addEdge('upper', 'ask')
    .addEdge('ask', END)
    .compile();
  const outer = new StateGraph(Inner)
    .addNode('prepare', (s) => ({ text: `${s.text}!`, steps: ['prepare'] }))
    .addNode('inner', inner)
    .addNode('done', () => ({ steps: ['done'] }))
    .addEdge(START, 'prepare')
    .addEdge('prepare', 'inner')
    .addEdge('inner', 'done')
    .addEdge('done', END)
    .compile({ checkpointer });
  const config = { configurable: { thread_id: thread } };
  const transcript: unknown[] = [];
  transcript.push(await outer.invoke({ text: 'hi' }, config));
  transcript.push(await outer.getState(config, { subgraphs: true }));
  transcript.push(await outer.invoke(new Command({ resume: '?' }), config));
  transcript.push(await outer.getState(config, { subgraphs: true }));
  transcript.push(await history(outer, config));
  return normalize(transcript);
}

/** A linear graph with reducers and defaults no node touches (count: 0, log: []), three invocations. */
export async function linearWithReducers(checkpointer: BaseCheckpointSaver, thread: string) {
  const State = Annotation.Root({
    text: Annotation<string>(),
    count: Annotation<number>({ reducer: (a, b) => a + b, default: () => 0 }),
    log: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
    untouched: Annotation<Record<string, unknown>>({ reducer: (a, b) => ({ ...a, ...b }), default: () => ({ empty: {} }) }),
  });
  const graph = new StateGraph(State)
    .addNode('one', (s) => ({ text: `${s.text}.1` }))
    .addNode('two', (s) => ({ count: 1, text: `${s.text}.2` }))
    .addNode('three', () => ({ log: ['three'] }))
    .addEdge(START, 'one')
    .addEdge('one', 'two')
    .addEdge('two', 'three')
    .addEdge('three', END)
    .compile({ checkpointer });
  const config = { configurable: { thread_id: thread } };
  const transcript: unknown[] = [];
  for (const text of ['a', 'b', 'c']) transcript.push(await graph.invoke({ text }, config));
  transcript.push(await graph.getState(config));
  transcript.push(await history(graph, config));
  return normalize(transcript);
}

/**
 * State holding values JSON alone does not keep: Date, bytes, Map, Set, undefined members, unicode keys,
 * empty containers. `topLevelBytes` adds a channel whose value is a Uint8Array itself (MemorySaver cannot
 * read such a write back: it parses every write as JSON).
 */
export async function valueFidelity(checkpointer: BaseCheckpointSaver, thread: string, topLevelBytes = false) {
  const State = Annotation.Root({
    when: Annotation<Date>(),
    bytes: Annotation<{ raw: Uint8Array }>(),
    raw: Annotation<Uint8Array | undefined>(),
    map: Annotation<Map<string, number>>(),
    set: Annotation<Set<string>>(),
    nested: Annotation<Record<string, unknown>>(),
    empty: Annotation<unknown[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
  });
  const graph = new StateGraph(State)
    .addNode('fill', () => ({
      when: new Date(Date.UTC(2024, 1, 29, 12)),
      bytes: { raw: new Uint8Array([0, 1, 254, 255]) },
      ...(topLevelBytes ? { raw: new Uint8Array([9, 0, 9]) } : {}),
      map: new Map([['ключ', 1]]),
      set: new Set(['🙂', 'b']),
      nested: { 'ü ∑ 🙂': { deep: [1, undefined, { at: new Date(0) }] }, none: undefined, list: [], obj: {} },
    }))
    .addNode('touch', (s) => ({ nested: { ...s.nested, seen: true } }))
    .addEdge(START, 'fill')
    .addEdge('fill', 'touch')
    .addEdge('touch', END)
    .compile({ checkpointer });
  const config = { configurable: { thread_id: thread } };
  const result = await graph.invoke({}, config);
  const state = await graph.getState(config);
  return { result, values: state.values, history: normalize(await history(graph, config)) };
}

/** History reads as an app makes them: limit, before, metadata filter. */
export async function historyQueries(checkpointer: BaseCheckpointSaver, thread: string) {
  const State = Annotation.Root({ n: Annotation<number>({ reducer: (a, b) => a + b, default: () => 0 }) });
  const graph = new StateGraph(State)
    .addNode('inc', () => ({ n: 1 }))
    .addNode('inc2', () => ({ n: 2 }))
    .addEdge(START, 'inc')
    .addEdge('inc', 'inc2')
    .addEdge('inc2', END)
    .compile({ checkpointer });
  const config = { configurable: { thread_id: thread } };
  for (let i = 0; i < 4; i++) await graph.invoke({ n: 10 }, config);
  const all = await history(graph, config);
  const collect = async (options: Parameters<typeof graph.getStateHistory>[1]) => {
    const out: StateSnapshot[] = [];
    for await (const s of graph.getStateHistory(config, options)) out.push(s);
    return out;
  };
  return normalize([
    all,
    await collect({ limit: 3 }),
    await collect({ before: all[4]!.config, limit: 2 }),
    await collect({ filter: { source: 'input' } }),
    await collect({ filter: { step: 2 } }),
  ]);
}
