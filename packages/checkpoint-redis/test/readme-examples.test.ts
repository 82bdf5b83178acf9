import { describe, expect, it } from 'vitest';
import { packageExamples } from '@x/tooling/package-examples';

const examples = packageExamples(import.meta.dirname);

describe('README examples', () => {
  it('embeds every example file verbatim', () => {
    examples.expectEmbedded(['examples/cluster.mjs', 'examples/graph.ts', 'examples/migrate.ts', 'examples/quick-start-ioredis.mjs', 'examples/retry-and-durability.mjs', 'examples/ttl-and-prune.mjs']);
  });

  it('runs examples/graph.ts', async () => {
    const { stdout } = await examples.run('graph.ts');
    expect(stdout).toBe(
      [
        `asked: { question: 'Publish "A short note about Redis."?' }`,
        'verdict: yes',
        'step 2 next: -',
        'step 1 next: review',
        'step 0 next: write',
        'step -1 next: __start__',
        '',
      ].join('\n'),
    );
  });

  it('runs examples/ttl-and-prune.mjs', async () => {
    const { stdout } = await examples.run('ttl-and-prune.mjs');
    expect(stdout).toBe(
      [
        'expires in about 60 min',
        'pinned ttl: -1',
        'pruned: { checkpoints: 7, blobs: 7 }',
        'kept step 9 count = 9',
        'kept step 8 count = 8',
        'kept step 7 count = 7',
        '',
      ].join('\n'),
    );
  });

  it('runs examples/cluster.mjs on the harness cluster', async () => {
    const { stdout } = await examples.run('cluster.mjs');
    expect(stdout).toBe(
      [
        'user:1: steps listed 2 (shallow keeps the latest), 1 slot for all keys',
        'user:{2}: steps listed 2 (shallow keeps the latest), 1 slot for all keys',
        'user:*: steps listed 2 (shallow keeps the latest), 1 slot for all keys',
        '',
      ].join('\n'),
    );
  });

  it('runs examples/migrate.ts', async () => {
    const { stdout } = await examples.run('migrate.ts');
    expect(stdout).toBe('copied 2 checkpoints\nlatest n = 2 pending: [["task-a","n",3]]\n');
  });

  it('runs examples/retry-and-durability.mjs (the harness server has no replica: the put is applied, not confirmed)', async () => {
    const { stdout } = await examples.run('retry-and-durability.mjs');
    expect(stdout).toBe('ERR_DURABILITY: 0 of 1 replica(s) confirmed\nstored: true\n');
  });

  it('runs examples/quick-start-ioredis.mjs', async () => {
    const { stdout } = await examples.run('quick-start-ioredis.mjs');
    expect(stdout).toBe('read back: {"count":1}\n');
  });
});
