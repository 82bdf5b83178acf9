import { describe, expect, it } from 'vitest';
import { packageExamples } from '@x/tooling/package-examples';

const examples = packageExamples(import.meta.dirname);

describe('README examples', () => {
  it('embeds every example file verbatim', () => {
    examples.expectEmbedded(['examples/descriptors.mjs']);
  });

  it('runs examples/descriptors.mjs (twice: the second run finds the script cached)', async () => {
    for (let i = 0; i < 2; i++) {
      const { stdout } = await examples.run('descriptors.mjs');
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
