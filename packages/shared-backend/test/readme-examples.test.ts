import { describe, expect, it } from 'vitest';
import { packageExamples } from '@x/tooling/package-examples';

const examples = packageExamples(import.meta.dirname);

describe('README examples', () => {
  it('embeds every example file verbatim', () => {
    examples.expectEmbedded(['examples/process-shared.mjs', 'examples/quick-start.mjs', 'examples/redis-ioredis.mjs', 'examples/redis.mjs', 'examples/ttl.mjs']);
  });

  it('runs examples/quick-start.mjs', async () => {
    const { stdout } = await examples.run('quick-start.mjs');
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

  it('runs examples/redis.mjs', async () => {
    const { stdout } = await examples.run('redis.mjs');
    expect(stdout).toBe(
      [
        "threads: [ 'thread-2', 'thread:{1}*' ]",
        "registry: { 'thread-2': 'chain-a' }",
        'info: { bufferThreads: 2, registryEntries: 1, ttlMs: 3600000 }',
        '',
      ].join('\n'),
    );
  });

  it('runs examples/ttl.mjs', async () => {
    const { stdout } = await examples.run('ttl.mjs');
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

  it('runs examples/process-shared.mjs (a host and three forked workers)', async () => {
    const { stdout } = await examples.run('process-shared.mjs', {
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

  it('runs examples/redis-ioredis.mjs', async () => {
    const { stdout } = await examples.run('redis-ioredis.mjs');
    expect(stdout).toBe("threads: [ 'thread-1' ]\n");
  });
});
