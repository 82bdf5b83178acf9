import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleFiles, examplesMissingFromReadme, runExample } from '@x/tooling/examples';
import { getTopologies } from '@x/tooling/vitest';

const dir = join(import.meta.dirname, '..');
const files = exampleFiles(dir);
const env = () => ({ REDIS_URL: getTopologies().standalone.url });

describe('README examples', () => {
  it('embeds every example file verbatim', () => {
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual([
      'examples/process-shared.ts',
      'examples/quick-start.ts',
      'examples/redis.ts',
      'examples/ttl.ts',
    ]);
    expect(examplesMissingFromReadme(join(dir, 'README.md'), files)).toEqual([]);
  });

  it('runs examples/quick-start.ts', async () => {
    const { stdout } = await runExample(join(dir, 'examples/quick-start.ts'), env());
    expect(stdout).toBe(
      [
        "slot 1: { role: 'assistant', text: 'Let us reset your password' }",
        'thread of the chain: b9c1d7e0-5f1a-4c1e-9d7a-2f0c3e8b6a11',
        'chain of the thread: support/ticket-42',
        'old thread now maps to: null',
        '',
      ].join('\n'),
    );
  });

  it('runs examples/redis.ts', async () => {
    const { stdout } = await runExample(join(dir, 'examples/redis.ts'), env());
    expect(stdout).toBe(
      [
        "threads: [ 'thread-2', 'thread:{1}*' ]",
        "registry: { 'thread-2': 'chain-a' }",
        'info: { bufferThreads: 2, registryEntries: 1, ttlMs: 3600000 }',
        '',
      ].join('\n'),
    );
  });

  it('runs examples/ttl.ts', async () => {
    const { stdout } = await runExample(join(dir, 'examples/ttl.ts'), env());
    expect(stdout).toBe(
      [
        'idle exists: false',
        'busy slots: 2',
        'chain -> null',
        'info: { bufferThreads: 1, registryEntries: 0, ttlMs: 1000 }',
        'swept: { threads: 0, registryEntries: 0 }',
        '',
      ].join('\n'),
    );
  });

  it('runs examples/process-shared.ts (a host and three forked workers)', async () => {
    const { stdout } = await runExample(join(dir, 'examples/process-shared.ts'), {
      ...env(),
      X_SHARED_BACKEND_SOCKET: undefined,
      X_SHARED_BACKEND_TOKEN: undefined,
    });
    expect(stdout).toBe(
      [
        "slots: [ 'note from coder', 'note from planner', 'note from reviewer' ]",
        'registry: thread-of-reviewer',
        '',
      ].join('\n'),
    );
  });
});
