import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleFiles, examplesMissingFromReadme, runExample } from '@x/tooling/examples';
import { getTopologies } from '@x/tooling/vitest';

// The examples import the package by name: run `pnpm build` first (`pnpm test` does).
const dir = join(import.meta.dirname, '..');
const files = exampleFiles(dir);
const run = (name: string) => runExample(join(dir, 'examples', name), { REDIS_URL: getTopologies().standalone.url });

describe('README examples', () => {
  it('embeds every example file verbatim', () => {
    expect(files.map((f) => f.split('/').pop())).toEqual(['quick-start-ioredis.mjs', 'quick-start.mjs']);
    expect(examplesMissingFromReadme(join(dir, 'README.md'), files)).toEqual([]);
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
});
