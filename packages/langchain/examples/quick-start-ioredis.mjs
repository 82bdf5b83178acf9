import { Redis } from 'ioredis';
import { AIMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { ChatPromptTemplate, MessagesPlaceholder } from '@langchain/core/prompts';
import { RunnableWithMessageHistory } from '@langchain/core/runnables';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { RedisChatMessageHistory } from '@x/langchain';

// A scripted stand-in for the model, so this runs offline and prints the same every time.
// For a real model: import { ChatOpenAI } from '@langchain/openai'; const model = new ChatOpenAI({ model: 'gpt-5-mini' });
const model = new FakeListChatModel({ responses: ['Paris is sunny, 24°C.', 'You asked about the weather in Paris.'] });

const prompt = ChatPromptTemplate.fromMessages([
  ['system', 'You are a weather assistant. Answer briefly.'],
  new MessagesPlaceholder('history'),
  new MessagesPlaceholder('input'),
]);

// The ioredis client your service already has: used as is, never closed for you.
const client = new Redis(process.env.REDIS_URL ?? 'redis://localhost:6379');
try {
  const sessionId = `user-42-${Date.now()}`;
  // One client serves every history; a history never closes it.
  const historyFor = (id = sessionId) => new RedisChatMessageHistory(client, { sessionId: id, ttlMs: 86_400_000, maxMessages: 200 });

  // A tool call your agent loop made earlier: stored in one atomic call with its result.
  await historyFor(sessionId).addMessages([
    new HumanMessage('What is the weather in Paris?'),
    new AIMessage({ content: '', tool_calls: [{ id: 'call_1', name: 'get_weather', args: { city: 'Paris' } }] }),
    new ToolMessage({ content: 'sunny, 24°C', tool_call_id: 'call_1', name: 'get_weather' }),
  ]);

  const chat = new RunnableWithMessageHistory({
    runnable: prompt.pipe(model),
    getMessageHistory: historyFor,
    inputMessagesKey: 'input',
    historyMessagesKey: 'history',
  });
  const config = { configurable: { sessionId } };

  const first = await chat.invoke({ input: [new HumanMessage('So, how is it?')] }, config);
  console.log('first:', first.content);
  const second = await chat.invoke({ input: [new HumanMessage('What did I ask about?')] }, config);
  console.log('second:', second.content);

  const stored = await historyFor(sessionId).getMessages();
  console.log('stored:', stored.map((m) => m.getType()).join(', '));
  const toolCall = stored.flatMap((m) => (m instanceof AIMessage ? (m.tool_calls ?? []) : []))[0];
  console.log('tool call kept:', JSON.stringify(toolCall?.args));
  await historyFor(sessionId).clear();
} finally {
  await client.quit();
}
