import { describe, expect, it } from 'vitest';
import { packageExamples } from '@x/tooling/package-examples';

const examples = packageExamples(import.meta.dirname);

describe('README examples', () => {
  it('embeds every example file verbatim', () => {
    examples.expectEmbedded(['examples/cluster.mjs', 'examples/filters-and-ttl.mjs', 'examples/graph.ts', 'examples/quick-start-ioredis.mjs', 'examples/retry-and-durability.mjs', 'examples/semantic.mjs']);
  });

  it('runs examples/retry-and-durability.mjs (the harness server has no replica: the put is applied, not confirmed)', async () => {
    const { stdout } = await examples.run('retry-and-durability.mjs');
    expect(stdout).toBe('ERR_DURABILITY: 0 of 1 replica(s) confirmed\nstored: prefers short answers\n');
  });

  it('runs examples/graph.ts', async () => {
    const { stdout } = await examples.run('graph.ts');
    expect(stdout).toBe(
      [
        'friday thread recalls: prefers short answers; works on compilers',
        'bob: nothing yet',
        'namespaces: [["memories","ada"]]',
        '',
      ].join('\n'),
    );
  });

  it('runs examples/filters-and-ttl.mjs', async () => {
    const { stdout } = await examples.run('filters-and-ttl.mjs');
    expect(stdout).toBe(
      [
        'final since Q2: docs/team-a/q3, docs/team-b/memo',
        'page 2 of team-a: q2, q3',
        'namespaces: [["docs","team-a"],["docs","team-b"]]',
        'scratch now: note',
        'scratch expired',
        'left: []',
        '',
      ].join('\n'),
    );
  });

  it('runs examples/semantic.mjs', async () => {
    const { stdout } = await examples.run('semantic.mjs');
    expect(stdout).toBe(['best match: m2 score 1.00', 'filtered then ranked: m3 (scored), m4 (no vector)', ''].join('\n'));
  });

  it('runs examples/quick-start-ioredis.mjs', async () => {
    const { stdout } = await examples.run('quick-start-ioredis.mjs');
    expect(stdout).toBe(['facts: works on compilers', 'left: 0', ''].join('\n'));
  });

  it('runs examples/cluster.mjs on the harness cluster', async () => {
    const { stdout } = await examples.run('cluster.mjs');
    expect(stdout).toBe(['ada: 2 items, 1 slot', 'bob: 2 items, 1 slot', 'cy: 2 items, 1 slot', 'all users: 6 items', ''].join('\n'));
  });
});
