import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemoryChatMessageHistory } from '@langchain/core/chat_history';
import { forEachTopology } from '@x/tooling/vitest';
import { runChatHistoryConformance, runRunnableConformance, type ChatHistoryConformanceTarget } from '../src/testing.js';
import { historyFactory } from './helpers.js';

const runner = { describe, it, expect, beforeAll, afterAll };

// The suites are written from LangChain's in-memory reference: it must pass them itself.
describe('the reference: LangChain InMemoryChatMessageHistory', () => {
  const target: ChatHistoryConformanceTarget = {
    name: 'InMemoryChatMessageHistory',
    atomicAddMessages: false,
    createHistory: () => new InMemoryChatMessageHistory(),
  };
  runChatHistoryConformance(runner, target);
  runRunnableConformance(runner, target);
});

forEachTopology(['standalone', 'cluster'], (t) => {
  const factory = historyFactory(t);
  const target: ChatHistoryConformanceTarget = {
    name: `RedisChatMessageHistory ${t.kind}`,
    atomicAddMessages: true,
    createHistory: () => factory.open(),
    dispose: () => factory.close(),
  };
  runChatHistoryConformance(runner, target);
  runRunnableConformance(runner, target);
});
