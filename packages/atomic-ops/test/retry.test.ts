// The retry option on real faults: a server loading its data (every command refused
// with LOADING) and killed connections. Only calls that are safe to repeat are retried.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killConnectionsRepeatedly } from '@x/tooling/faults';
import { whileLoading } from '@x/tooling/redis';
import { randomPrefix, useStandalone } from '@x/tooling/vitest';
import { AtomicOperations, InvalidArgumentError, isRetryable } from '../src/index.js';

describe('retry option', () => {
  const server = useStandalone();
  const node = () => ({ host: server().host, port: server().port });
  const policy = { attempts: 100, baseDelayMs: 20, maxDelayMs: 200, deadlineMs: 30_000 };
  let plain: AtomicOperations;
  let retrying: AtomicOperations;

  beforeAll(async () => {
    const prefix = randomPrefix('retry');
    plain = new AtomicOperations(server().url, { prefix });
    retrying = new AtomicOperations(server().url, { prefix, retry: policy });
    await plain.appendMessage('warm', { role: 'user' });
    await retrying.appendMessage('warm', { role: 'user' });
  });
  afterAll(async () => {
    await plain?.close();
    await retrying?.close();
  });

  it('is checked by the shared validator before anything is sent', () => {
    for (const retry of ['yes', 3, null, { attempts: 0 }, { attempts: 1.5 }, { tries: 3 }, { baseDelayMs: 100, maxDelayMs: 10 }]) {
      expect(() => new AtomicOperations(server().url, { retry: retry as never }), JSON.stringify(retry)).toThrow(InvalidArgumentError);
    }
  });

  it('while the server loads: reads, deletes and writes with an operation id ride it out; a write without one fails once, retryable', { timeout: 60_000 }, async () => {
    await retrying.appendMessages('s', [{ role: 'user', n: 1 }, { role: 'user', n: 2 }]);
    const seen: Record<string, unknown> = {};
    let idLessError: unknown;
    let idLessCommands = -1;
    let plainError: unknown;
    await whileLoading(node(), async () => {
      // Without a policy, the fault reaches the caller.
      plainError = await plain.getMessages('s').catch((e: unknown) => e);
      // A write without an operation id may not be repeated: one try, the error goes to the caller.
      const before = retrying.redis.stats.commands;
      idLessError = await retrying.appendMessage('s', { role: 'user', n: 'no-id' }).catch((e: unknown) => e);
      idLessCommands = retrying.redis.stats.commands - before;
      const [appended, popped, read, deleted] = await Promise.all([
        retrying.appendMessage('s', { role: 'user', n: 3 }, { operationId: 'append-3' }),
        retrying.popMessage('other', { operationId: 'pop-1' }),
        retrying.getSession('s'),
        retrying.deleteSession('gone'),
      ]);
      Object.assign(seen, { appended, popped, read: read?.messageCount, deleted });
    });
    expect(isRetryable(plainError)).toBe(true);
    expect(String((plainError as Error).message)).toMatch(/LOADING/);
    expect(isRetryable(idLessError)).toBe(true);
    expect(String((idLessError as Error).message)).toMatch(/LOADING/);
    expect(idLessCommands).toBe(1);
    expect(seen).toMatchObject({ appended: 3, popped: null, deleted: false });
    expect([2, 3]).toContain(seen.read);
    expect(await retrying.getMessages('s')).toEqual([{ role: 'user', n: 1 }, { role: 'user', n: 2 }, { role: 'user', n: 3 }]);
  });

  it('under killed connections, appends with operation ids are applied exactly once and no caller sees an error', { timeout: 60_000 }, async () => {
    const storm = killConnectionsRepeatedly(node(), 20);
    const errors: unknown[] = [];
    try {
      await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          retrying.appendMessage('storm', { role: 'user', n: i }, { operationId: `op-${i}` }).catch((e: unknown) => errors.push(e)),
        ),
      );
    } finally {
      expect(await storm.stop()).toBeGreaterThan(0);
    }
    expect(errors).toEqual([]);
    const stored = (await retrying.getMessages<{ role: string; n: number }>('storm')).map((m) => m.n).sort((a, b) => a - b);
    expect(stored).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });
});
