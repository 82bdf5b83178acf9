import { appendFileSync } from 'node:fs';
import { Annotation, END, START, StateGraph, type BaseCheckpointSaver } from '@langchain/langgraph';

/**
 * START -> (a, b in parallel) -> join -> END. Every node run is appended to
 * `runLog`, so a test can see which nodes ran again after a crash. `beforeB`
 * runs inside node b before it returns (the crash worker kills itself there).
 */
export function crashGraph(checkpointer: BaseCheckpointSaver, runLog: string, beforeB: () => Promise<void> = async () => {}) {
  const State = Annotation.Root({
    input: Annotation<string>(),
    parts: Annotation<string[]>({ reducer: (x, y) => x.concat(y), default: () => [] }),
    result: Annotation<string>(),
  });
  return new StateGraph(State)
    .addNode('a', (s) => {
      appendFileSync(runLog, 'a\n');
      return { parts: [`a(${s.input})`] };
    })
    .addNode('b', async (s) => {
      appendFileSync(runLog, 'b\n');
      await beforeB();
      return { parts: [`b(${s.input})`] };
    })
    .addNode('join', (s) => {
      appendFileSync(runLog, 'join\n');
      return { result: [...s.parts].sort().join('+') };
    })
    .addEdge(START, 'a')
    .addEdge(START, 'b')
    .addEdge('a', 'join')
    .addEdge('b', 'join')
    .addEdge('join', END)
    .compile({ checkpointer });
}
