import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleFiles, examplesMissingFromReadme, runExample } from '@x/tooling/examples';
import { getTopologies } from '@x/tooling/vitest';

const dir = join(import.meta.dirname, '..');
const files = exampleFiles(dir);
const env = () => ({
  REDIS_URL: getTopologies().standalone.url,
  REDIS_CLUSTER_NODES: getTopologies().cluster.rootNodes.map((n) => n.url).join(','),
});

describe('README examples', () => {
  it('embeds every example file verbatim', () => {
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual([
      'examples/cluster.mjs',
      'examples/filters-and-ttl.mjs',
      'examples/graph.ts',
      'examples/quick-start-ioredis.mjs',
      'examples/semantic.mjs',
    ]);
    expect(examplesMissingFromReadme(join(dir, 'README.md'), files)).toEqual([]);
  });

  it('runs examples/graph.ts', async () => {
    const { stdout } = await runExample(join(dir, 'examples/graph.ts'), env());
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
    const { stdout } = await runExample(join(dir, 'examples/filters-and-ttl.mjs'), env());
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
    const { stdout } = await runExample(join(dir, 'examples/semantic.mjs'), env());
    expect(stdout).toBe(['best match: m2 score 1.00', 'filtered then ranked: m3 (scored), m4 (no vector)', ''].join('\n'));
  });

  it('runs examples/quick-start-ioredis.mjs', async () => {
    const { stdout } = await runExample(join(dir, 'examples/quick-start-ioredis.mjs'), env());
    expect(stdout).toBe(['facts: works on compilers', 'left: 0', ''].join('\n'));
  });

  it('runs examples/cluster.mjs on the harness cluster', async () => {
    const { stdout } = await runExample(join(dir, 'examples/cluster.mjs'), env());
    expect(stdout).toBe(['ada: 2 items, 1 slot', 'bob: 2 items, 1 slot', 'cy: 2 items, 1 slot', 'all users: 6 items', ''].join('\n'));
  });
});
