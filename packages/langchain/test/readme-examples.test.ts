import { describe, expect, it } from 'vitest';
import { packageExamples } from '@x/tooling/package-examples';

// The examples import the package by name: run `pnpm build` first (`pnpm test` does).
const examples = packageExamples(import.meta.dirname);
const run = (name: string) => examples.run(name);

describe('README examples', () => {
  it('embeds every example file verbatim', () => {
    examples.expectEmbedded(['examples/failures.mjs', 'examples/quick-start-ioredis.mjs', 'examples/quick-start.mjs']);
  });

  it('runs examples/quick-start.mjs with plain node', async () => {
    const { stdout } = await run('quick-start.mjs');
    expect(stdout).toBe(
      'first: Paris is sunny, 24°C.\nsecond: You asked about the weather in Paris.\n' +
        'stored: human, ai, tool, human, ai, human, ai\ntool call kept: {"city":"Paris"}\n',
    );
  });

  it('runs examples/quick-start-ioredis.mjs (the same, on an ioredis client)', async () => {
    const { stdout } = await run('quick-start-ioredis.mjs');
    expect(stdout).toBe(
      'first: Paris is sunny, 24°C.\nsecond: You asked about the weather in Paris.\n' +
        'stored: human, ai, tool, human, ai, human, ai\ntool call kept: {"city":"Paris"}\n',
    );
  });

  it('runs examples/failures.mjs (retry and durability; the harness server has no replica)', async () => {
    const { stdout } = await run('failures.mjs');
    expect(stdout).toBe('not confirmed: 0 of 1 replica(s)\nstored: 1\n');
  });
});
