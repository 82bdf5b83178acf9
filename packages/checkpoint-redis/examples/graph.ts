import { Annotation, Command, END, START, StateGraph, interrupt } from '@langchain/langgraph';
import { RedisSaver } from '@x/checkpoint-redis';

const State = Annotation.Root({
  topic: Annotation<string>(),
  draft: Annotation<string>(),
  verdict: Annotation<string>(),
});

const graph = new StateGraph(State)
  .addNode('write', (s) => ({ draft: `A short note about ${s.topic}.` }))
  .addNode('review', (s) => ({ verdict: interrupt({ question: `Publish "${s.draft}"?` }) as string }))
  .addEdge(START, 'write')
  .addEdge('write', 'review')
  .addEdge('review', END);

// The saver owns this connection: close() ends it.
const checkpointer = await RedisSaver.fromUrl(process.env.REDIS_URL ?? 'redis://localhost:6379', {
  prefix: `example-${process.pid}`,
});
try {
  const app = graph.compile({ checkpointer });
  const config = { configurable: { thread_id: 'note-1' } };

  await app.invoke({ topic: 'Redis' }, config);
  const paused = await app.getState(config);
  console.log('asked:', paused.tasks[0]?.interrupts[0]?.value);

  // Any process holding the same thread_id can resume from Redis.
  const done = await app.invoke(new Command({ resume: 'yes' }), config);
  console.log('verdict:', done.verdict);

  for await (const snapshot of app.getStateHistory(config)) {
    console.log('step', snapshot.metadata?.step, 'next:', snapshot.next.join(',') || '-');
  }
  await checkpointer.deleteThread('note-1');
} finally {
  await checkpointer.close();
}
