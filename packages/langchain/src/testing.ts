/**
 * Conformance suites for LangChain.js chat message histories, written from
 * LangChain's in-memory reference (`InMemoryChatMessageHistory`): run them
 * against your own history to check that it behaves like the reference.
 *
 * ```ts
 * import { afterAll, beforeAll, describe, expect, it } from 'vitest';
 * import { runChatHistoryConformance, runRunnableConformance } from '@x/langchain/testing';
 *
 * const target = { name: 'my history', atomicAddMessages: false, createHistory: () => new MyHistory() };
 * runChatHistoryConformance({ describe, it, expect, beforeAll, afterAll }, target);
 * runRunnableConformance({ describe, it, expect, beforeAll, afterAll }, target);
 * ```
 *
 * @packageDocumentation
 */
export {
  runChatHistoryConformance,
  CHAT_HISTORY_CONFORMANCE_CASES,
  type ChatHistoryConformanceTarget,
} from './testing/history-conformance.js';
export { runRunnableConformance, RUNNABLE_CONFORMANCE_CASES } from './testing/runnable-conformance.js';
export { describeMessage, humanMessage, sampleMessages } from './testing/sample-messages.js';
export type { ExpectLike, TestRunner } from './testing/runner.js';
