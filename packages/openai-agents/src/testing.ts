/**
 * Conformance suites for sessions of the OpenAI Agents SDK (JS), written from the
 * SDK's in-memory reference (`MemorySession`): run them against your own session
 * to check that it behaves like the reference, capabilities included.
 *
 * ```ts
 * import { afterAll, beforeAll, describe, expect, it } from 'vitest';
 * import { runSessionConformance, runRunConformance } from '@x/openai-agents/testing';
 *
 * const target = { name: 'my session', transactions: true, compaction: false, createSession: () => new MySession() };
 * runSessionConformance({ describe, it, expect, beforeAll, afterAll }, target);
 * runRunConformance({ describe, it, expect, beforeAll, afterAll }, target);
 * ```
 *
 * @packageDocumentation
 */
export {
  runSessionConformance,
  SESSION_CONFORMANCE_CASES,
  type SessionConformanceTarget,
  type SessionUnderTest,
} from './testing/session-conformance.js';
export { runRunConformance, RUN_CONFORMANCE_CASES } from './testing/run-conformance.js';
export { ALL_BYTES, sampleItems, userItem } from './testing/sample-items.js';
export type { ExpectLike, TestRunner } from './testing/runner.js';
