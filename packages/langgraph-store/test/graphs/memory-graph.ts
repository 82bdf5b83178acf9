// A small agent graph with long-term memory: `remember: <fact>` stores the fact in the
// store under ['memories', userId]; any other input recalls what the store holds for the
// user (a search, ranked when the store has an index) and answers with it.
import type { BaseCheckpointSaver, BaseStore } from '@langchain/langgraph-checkpoint';
import { Annotation, END, START, StateGraph, type LangGraphRunnableConfig } from '@langchain/langgraph';

const State = Annotation.Root({
  input: Annotation<string>(),
  answer: Annotation<string>(),
});

function storeOf(config: LangGraphRunnableConfig): BaseStore {
  if (config.store === undefined) throw new Error('the graph was compiled without a store');
  return config.store;
}

export function memoryGraph(checkpointer: BaseCheckpointSaver, store: BaseStore) {
  return new StateGraph(State)
    .addNode('agent', async (state, config: LangGraphRunnableConfig) => {
      const userId = String(config.configurable?.user_id);
      const namespace = ['memories', userId];
      const fact = /^remember: (.*)$/.exec(state.input)?.[1];
      if (fact !== undefined) {
        await storeOf(config).put(namespace, `m-${Buffer.from(fact).toString('hex').slice(0, 16)}`, { text: fact });
        return { answer: `noted: ${fact}` };
      }
      const memories = await storeOf(config).search(namespace, { query: state.input, limit: 3 });
      return { answer: memories.length === 0 ? 'I know nothing about you' : `you told me: ${memories.map((m) => m.value.text).join('; ')}` };
    })
    .addEdge(START, 'agent')
    .addEdge('agent', END)
    .compile({ checkpointer, store });
}
