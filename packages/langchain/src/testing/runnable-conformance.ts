import { InMemoryChatMessageHistory, type BaseListChatMessageHistory } from '@langchain/core/chat_history';
import { AIMessageChunk, HumanMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { ChatPromptTemplate, MessagesPlaceholder } from '@langchain/core/prompts';
import { RunnableLambda, RunnableWithMessageHistory } from '@langchain/core/runnables';
import { FakeListChatModel, FakeStreamingChatModel } from '@langchain/core/utils/testing';
import type { TestRunner } from './runner.js';
import type { ChatHistoryConformanceTarget } from './history-conformance.js';
import { describeMessage } from './sample-messages.js';

/** How many cases {@link runRunnableConformance} registers. */
export const RUNNABLE_CONFORMANCE_CASES = 2;

/**
 * A chain behind `RunnableWithMessageHistory`: a prompt with the history, then a
 * scripted model per turn (a tool call first, then text answers). Records what
 * each model call received, and counts the history calls of each turn.
 */
function scriptedChain(history: BaseListChatMessageHistory) {
  const received: BaseMessage[][] = [];
  const toolTurn = new FakeStreamingChatModel({
    chunks: [
      new AIMessageChunk({
        content: '',
        tool_calls: [{ id: 'call_weather', name: 'get_weather', args: { city: 'Paris' }, type: 'tool_call' }],
      }),
    ],
  });
  const answers = new FakeListChatModel({ responses: ['It is sunny in Paris.', 'You asked about the weather in Paris.', 'Bye!'] });
  let turn = 0;
  const model = RunnableLambda.from(async (prompt: { toChatMessages(): BaseMessage[] }) => {
    const messages = prompt.toChatMessages();
    received.push(messages);
    return (turn++ === 0 ? toolTurn : answers).invoke(messages);
  });
  const prompt = ChatPromptTemplate.fromMessages([
    ['system', 'You are a weather bot.'],
    new MessagesPlaceholder('history'),
    new MessagesPlaceholder('input'),
  ]);
  const counts = { reads: 0, writes: 0 };
  const counted = {
    getMessages: () => (counts.reads++, history.getMessages()),
    addMessages: (m: BaseMessage[]) => (counts.writes++, history.addMessages(m)),
    addMessage: (m: BaseMessage) => (counts.writes++, history.addMessage(m)),
  };
  const withHistory = new RunnableWithMessageHistory({
    runnable: prompt.pipe(model),
    getMessageHistory: () => Object.assign(Object.create(history) as BaseListChatMessageHistory, counted),
    inputMessagesKey: 'input',
    historyMessagesKey: 'history',
  });
  return { withHistory, received, counts };
}

const TURNS: BaseMessage[][] = [
  [],
  [new ToolMessage({ content: 'Paris: sunny, 24°C', tool_call_id: 'call_weather', name: 'get_weather' })],
  [],
  [],
];
const QUESTIONS = ['What is the weather in Paris?', null, 'What did I ask?', 'Thanks, bye.'];

async function converse(history: BaseListChatMessageHistory) {
  const { withHistory, received, counts } = scriptedChain(history);
  const perTurn: { reads: number; writes: number }[] = [];
  const outputs: unknown[] = [];
  for (let i = 0; i < TURNS.length; i++) {
    const before = { ...counts };
    const input = QUESTIONS[i] === null ? TURNS[i]! : [new HumanMessage(QUESTIONS[i]!)];
    const output = (await withHistory.invoke({ input }, { configurable: { sessionId: 'conformance' } })) as BaseMessage;
    outputs.push(describeMessage(output));
    perTurn.push({ reads: counts.reads - before.reads, writes: counts.writes - before.writes });
  }
  return {
    received: received.map((messages) => messages.map(describeMessage)),
    outputs,
    perTurn,
    stored: (await history.getMessages()).map(describeMessage),
  };
}

/**
 * Runs a real `RunnableWithMessageHistory` chain (prompt, scripted models: a tool
 * call, a tool result turn, text answers) over four turns with the history under
 * test and with LangChain's `InMemoryChatMessageHistory`, and checks that the model
 * receives the same messages every time, that the stored histories end up equal,
 * and that each turn reads the history once and writes it once.
 */
export function runRunnableConformance(t: TestRunner, target: ChatHistoryConformanceTarget): void {
  const { describe, it, expect, afterAll } = t;
  const opened: BaseListChatMessageHistory[] = [];

  describe(`chat history in RunnableWithMessageHistory: ${target.name}`, () => {
    afterAll(async () => {
      for (const h of opened.splice(0)) await h.clear().catch(() => undefined);
    });

    it('gives the model every turn what the in-memory history gives it (tool calls and results included)', async () => {
      const history = await target.createHistory();
      opened.push(history);
      const expected = await converse(new InMemoryChatMessageHistory());
      const actual = await converse(history);
      expect(expected.received).toHaveLength(4);
      expect(expected.received[3]).toHaveLength(1 + 7); // system + 3 earlier turns' 6 messages + the question
      expect(actual.outputs).toEqual(expected.outputs);
      expect(actual.received).toEqual(expected.received);
      expect(actual.stored).toEqual(expected.stored);
    });

    it('reads the history once and writes it once per turn', async () => {
      const history = await target.createHistory();
      opened.push(history);
      const { perTurn } = await converse(history);
      for (const turn of perTurn) expect(turn).toEqual({ reads: 1, writes: 1 });
    });
  });
}
