import { describe, expect, it } from 'vitest';
import { packageExamples } from '@x/tooling/package-examples';

const examples = packageExamples(import.meta.dirname);

describe('README examples', () => {
  it('embeds every example file verbatim', () => {
    examples.expectEmbedded(['examples/1-conversation.mjs', 'examples/2-record-response.mjs', 'examples/3-handoff.mjs', 'examples/4-idempotent-retry.mjs', 'examples/5-ioredis.mjs', 'examples/6-failures.mjs']);
  });

  it('runs examples/1-conversation.mjs', async () => {
    const { stdout } = await examples.run('1-conversation.mjs');
    expect(stdout).toBe(
      'appended 4, kept 3: user, assistant, user\n' +
        'last: {"role":"user","content":"Reset my password"}\n' +
        'messageCount 4, expires in <= 60 min\n',
    );
  });

  it('runs examples/2-record-response.mjs (twice: it starts clean)', async () => {
    for (let i = 0; i < 2; i++) {
      const { stdout } = await examples.run('2-record-response.mjs');
      expect(stdout).toBe('cached: Paris. (hits: 1)\nmessages 2, responses 1, tokens 14+3, latency 412 ms\n');
    }
  });

  it('runs examples/3-handoff.mjs', async () => {
    const { stdout } = await examples.run('3-handoff.mjs');
    expect(stdout).toMatch(
      new RegExp(
        [
          '^busy: retry in <= \\d+ ms',
          'released with a wrong token: false',
          'released with ours: true',
          'conflict: held by billing',
          'current: billing, used: billing, triage, context: \\{"reason":"refund","orderId":"A-17"\\}',
          'history: triage -> billing\\n$',
        ].join('\\n'),
      ),
    );
  });

  it('runs examples/4-idempotent-retry.mjs', async () => {
    const { stdout } = await examples.run('4-idempotent-retry.mjs');
    expect(stdout).toBe(
      'first: 1, retry: 1, stored: 1\n' +
        'rejected: message.sentAt is a Date, not a plain object (JSON would not read it back as written)\n',
    );
  });

  it('runs examples/5-ioredis.mjs (an ioredis client of your own)', async () => {
    const { stdout } = await examples.run('5-ioredis.mjs');
    expect(stdout).toBe('appended 2: user, assistant\n');
  });

  it('runs examples/6-failures.mjs (retry and durability; the harness server has no replica)', async () => {
    const { stdout } = await examples.run('6-failures.mjs');
    expect(stdout).toBe('not confirmed: 0 of 1 replica(s), retryable: true\nstored: 1\n');
  });
});
