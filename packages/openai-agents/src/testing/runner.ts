/** The parts of a test runner (vitest, jest, node:test wrappers) the conformance suites use. */
export interface TestRunner {
  describe: (name: string, fn: () => void) => void;
  it: (name: string, fn: () => Promise<void> | void, timeoutMs?: number) => void;
  expect: ExpectLike;
  beforeAll: (fn: () => Promise<void> | void, timeoutMs?: number) => void;
  afterAll: (fn: () => Promise<void> | void, timeoutMs?: number) => void;
}

/** The subset of `expect` the suites call (vitest's and jest's both fit). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ExpectLike = (actual: unknown) => any;
