import { describe, expect, it } from 'vitest';
import { packageExamples } from '@x/tooling/package-examples';

const examples = packageExamples(import.meta.dirname);
const run = (name: string) => examples.run(name);

describe('README examples', () => {
  it('embeds every example file verbatim', () => {
    examples.expectEmbedded(['examples/fencing.mjs', 'examples/in-process.mjs', 'examples/observe.mjs', 'examples/quick-start-ioredis.mjs', 'examples/quick-start.mjs', 'examples/reentrancy.mjs']);
  });

  it('runs examples/quick-start.mjs', async () => {
    const { stdout } = await run('quick-start.mjs');
    expect(stdout).toBe('total: 99\nheld: true\ntryAcquire while held: null\nwaited 50 ms: true\nfree again: true\n');
  });

  it('runs examples/fencing.mjs', async () => {
    const { stdout } = await run('fencing.mjs');
    expect(stdout).toBe(
      'stale holder told to stop: ERR_LOCK_LOST\ntokens increase: true\nnew holder writes: true\n' +
        'stale write applied: false\nstatus: paid\n',
    );
  });

  it('runs examples/reentrancy.mjs', async () => {
    const { stdout } = await run('reentrancy.mjs');
    expect(stdout).toBe('outer token is the inner token: true\ndebit re-entered: true\nmost at once: 1\ninside run: true\n');
  });

  it('runs examples/observe.mjs', async () => {
    const { stdout } = await run('observe.mjs');
    expect(stdout).toMatch(
      /^renewed 1\nrenewed 2\nlost, token true\nonLost: expiring\nstill ours in Redis when told to stop: true\nstats: \{"acquisitions":1,.*"renewals":2,.*"losses":1,.*\}\n$/,
    );
  });

  it('runs examples/in-process.mjs', async () => {
    const { stdout } = await run('in-process.mjs');
    expect(stdout).toBe('other object while held: null\ntokens increase: true\n');
  });

  it('runs examples/quick-start-ioredis.mjs', async () => {
    const { stdout } = await run('quick-start-ioredis.mjs');
    expect(stdout).toBe('total: 99\ntryAcquire while held: null\nfree again: true\n');
  });
});
