import { defineRedisTestConfig } from '@x/tooling/vitest-config';

// globals: the upstream conformance suite (@langchain/langgraph-checkpoint-validation)
// calls describe/it/expect as globals.
export default defineRedisTestConfig({ test: { include: ['test/**/*.test.ts'], globals: true } });
