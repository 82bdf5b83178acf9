import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleFiles, examplesMissingFromReadme, runExample } from '@x/tooling/examples';
import { getTopologies } from '@x/tooling/vitest';

const dir = join(import.meta.dirname, '..');
const files = exampleFiles(dir);

describe('README examples', () => {
  it('embeds every example file verbatim', () => {
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['examples/descriptors.mjs']);
    expect(examplesMissingFromReadme(join(dir, 'README.md'), files)).toEqual([]);
  });

  it('runs examples/descriptors.mjs (twice: the second run finds the script cached)', async () => {
    const env = { REDIS_URL: getTopologies().standalone.url };
    for (let i = 0; i < 2; i++) {
      const { stdout } = await runExample(join(dir, 'examples/descriptors.mjs'), env);
      expect(stdout).toBe(
        [
          'every script has a sha1: true',
          'every script names its keys: true',
          'app/incr-with-ttl: 1 key (counter), args ttlMs',
          'visits: 1 2',
          '',
        ].join('\n'),
      );
    }
  });
});
