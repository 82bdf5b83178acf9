import { describe, expect, it } from 'vitest';
import { packageExamples } from '@x/tooling/package-examples';

const examples = packageExamples(import.meta.dirname);

describe('README examples', () => {
  it('embeds every example file verbatim', () => {
    examples.expectEmbedded(['examples/pubsub-and-scan.mjs', 'examples/run-a-script-ioredis.mjs', 'examples/run-a-script.mjs']);
  });

  it('runs examples/run-a-script.mjs', async () => {
    const { stdout } = await examples.run('run-a-script.mjs');
    expect(stdout).toMatch(/^visits: \d+\nvisits: \d+, expires in <= \d+ ms\n$/);
  });

  it('runs examples/pubsub-and-scan.mjs', async () => {
    const { stdout } = await examples.run('pubsub-and-scan.mjs');
    expect(stdout).toBe('received: hello\nids under the prefix: a, a*, a:b\n');
  });

  it('runs examples/run-a-script-ioredis.mjs', async () => {
    const { stdout } = await examples.run('run-a-script-ioredis.mjs');
    expect(stdout).toBe('topology: standalone value: 5\n');
  });
});
