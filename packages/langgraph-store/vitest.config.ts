import { defineRedisTestConfig } from '@x/tooling/vitest-config';

export default defineRedisTestConfig({ test: { include: ['test/**/*.test.ts'] } });
