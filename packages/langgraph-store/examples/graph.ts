import { MemorySaver } from '@langchain/langgraph-checkpoint';
import { Annotation, END, START, StateGraph, type LangGraphRunnableConfig } from '@langchain/langgraph';
import { RedisStore } from '@x/langgraph-store';

const State = Annotation.Root({
  input: Annotation<string>(),
  answer: Annotation<string>(),
});

// One node: "remember: ..." stores a fact for the user; anything else recalls the user's facts.
const graph = new StateGraph(State)
  .addNode('agent', async (state, config: LangGraphRunnableConfig) => {
    const store = config.store;
    if (store === undefined) throw new Error('compile the graph with a store');
    const namespace = ['memories', String(config.configurable?.user_id)];
    if (state.input.startsWith('remember: ')) {
      const fact = state.input.slice('remember: '.length);
      await store.put(namespace, `fact-${fact.length}`, { text: fact });
      return { answer: 'noted' };
    }
    const memories = await store.search(namespace);
    return { answer: memories.map((m) => m.value.text).join('; ') || 'nothing yet' };
  })
  .addEdge(START, 'agent')
  .addEdge('agent', END);

// The store owns this connection (it was opened from a URL): close() ends it.
const store = new RedisStore(process.env.REDIS_URL ?? 'redis://localhost:6379', { prefix: `example-${process.pid}` });
try {
  const app = graph.compile({ checkpointer: new MemorySaver(), store });
  const ada = (thread_id: string) => ({ configurable: { thread_id, user_id: 'ada' } });

  await app.invoke({ input: 'remember: prefers short answers' }, ada('monday'));
  await app.invoke({ input: 'remember: works on compilers' }, ada('tuesday'));
  // A new thread (or another process on the same Redis) recalls what earlier threads stored.
  const friday = await app.invoke({ input: 'what do you know about me?' }, ada('friday'));
  console.log('friday thread recalls:', friday.answer);

  const bob = await app.invoke({ input: 'what do you know about me?' }, { configurable: { thread_id: 'x', user_id: 'bob' } });
  console.log('bob:', bob.answer);
  console.log('namespaces:', JSON.stringify(await store.listNamespaces()));

  for (const item of await store.search(['memories'])) await store.delete(item.namespace, item.key);
} finally {
  await store.close();
}
