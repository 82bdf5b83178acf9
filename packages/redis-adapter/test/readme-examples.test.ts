import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleFiles, examplesMissingFromReadme, runExample } from '@x/tooling/examples';
import { getTopologies } from '@x/tooling/vitest';

const dir = join(import.meta.dirname, '..');
const files = exampleFiles(dir);

describe('README examples', () => {
  it('embeds every example file verbatim', () => {
    expect(files.length).toBeGreaterThan(0);
    expect(examplesMissingFromReadme(join(dir, 'README.md'), files)).toEqual([]);
  });

  it('runs examples/run-a-script.mjs', async () => {
    const { stdout } = await runExample(join(dir, 'examples/run-a-script.mjs'), { REDIS_URL: getTopologies().standalone.url });
    expect(stdout).toMatch(/^visits: \d+\nvisits: \d+, expires in <= \d+ ms\n$/);
  });

  it('runs examples/pubsub-and-scan.mjs', async () => {
    const { stdout } = await runExample(join(dir, 'examples/pubsub-and-scan.mjs'), {
      REDIS_URL: getTopologies().standalone.url,
    });
    expect(stdout).toBe('received: hello\nids under the prefix: a, a*, a:b\n');
  });

  it('runs examples/run-a-script-ioredis.mjs', async () => {
    const { stdout } = await runExample(join(dir, 'examples/run-a-script-ioredis.mjs'), { REDIS_URL: getTopologies().standalone.url });
    expect(stdout).toBe('topology: standalone value: 5\n');
  });
});
