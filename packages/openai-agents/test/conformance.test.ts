import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemorySession } from '@openai/agents-core';
import { forEachTopology } from '@x/tooling/vitest';
import { runRunConformance, runSessionConformance, type SessionConformanceTarget } from '../src/testing.js';
import { sessionFactory } from './helpers.js';

const runner = { describe, it, expect, beforeAll, afterAll };

// The suites are written from the SDK's in-memory reference: it must pass them itself.
describe('the reference: the SDK MemorySession', () => {
  const target: SessionConformanceTarget = {
    name: 'MemorySession',
    transactions: true,
    compaction: false,
    createSession: () => new MemorySession(),
  };
  runSessionConformance(runner, target);
  runRunConformance(runner, target);
});

forEachTopology(['standalone', 'cluster'], (t) => {
  const factory = sessionFactory(t);
  const target: SessionConformanceTarget = {
    name: `RedisSession ${t.kind}`,
    transactions: true,
    compaction: true,
    createSession: () => factory.open(),
    reopenSession: (sessionId) => factory.open({ sessionId }),
    dispose: () => factory.close(),
  };
  runSessionConformance(runner, target);
  runRunConformance(runner, target);
});
