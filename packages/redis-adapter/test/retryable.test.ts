import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '@x/tooling/redis';
import { useStandalone } from '@x/tooling/vitest';
import { defineScript } from '@x/lua-scripts';
import {
  ClosedError,
  CommandError,
  ConnectionClosedError,
  ConnectionError,
  CrossSlotError,
  InvalidArgumentError,
  ScriptError,
  checkRetryPolicy,
  createRedisAdapter,
  isRetryable,
  isRetryableReply,
  withRetry,
  type RedisAdapter,
} from '../src/index.js';

const get = defineScript({ name: 'test/retry-get', source: "return redis.call('GET', KEYS[1])", keys: ['k'], args: [] });
const bug = defineScript({ name: 'test/retry-bug', source: "return redis.call('NOSUCHCOMMAND', KEYS[1])", keys: ['k'], args: [] });
const spin = defineScript({ name: 'test/retry-spin', source: 'while true do end', keys: ['k'], args: [] });

describe('the reply classification', () => {
  it.each([
    ['LOADING Redis is loading the dataset in memory', true],
    ['CLUSTERDOWN The cluster is down', true],
    ['CLUSTERDOWN Hash slot not served', true],
    ['TRYAGAIN Multiple keys request during rehashing of slot', true],
    ['MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to no', true],
    ['BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.', true],
    ['MOVED 3999 127.0.0.1:6381', true],
    ['ASK 3999 127.0.0.1:6381', true],
    ["READONLY You can't write against a read only replica.", true],
    ['NOREPLICAS Not enough good replicas to write.', true],
    ['UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)', true],
    ['BUSYGROUP Consumer Group name already exists', false],
    ['BUSYKEY Target key name already exists.', false],
    ['ERR user_script:1: Script attempted to access nonexistent global variable', false],
    ["CROSSSLOT Keys in request don't hash to the same slot", false],
    ['WRONGTYPE Operation against a key holding the wrong kind of value', false],
    ['ERR wrong number of arguments', false],
    ['NOSCRIPT No matching script', false],
    ['LOADINGX not a state', false],
  ])('%s -> %s', (message, expected) => {
    expect(isRetryableReply(message)).toBe(expected);
    expect(new ScriptError('s', message).retryable).toBe(expected);
    expect(new CommandError('c', message).retryable).toBe(expected);
    expect(isRetryable(new ScriptError('s', message))).toBe(expected);
  });

  it('classifies the adapter errors by class: connection loss yes; closed, bad input, cross-slot no', () => {
    expect(isRetryable(new ConnectionError('Redis connection failed: command timeout'))).toBe(true);
    expect(isRetryable(new ConnectionClosedError())).toBe(false);
    expect(isRetryable(new InvalidArgumentError('bad'))).toBe(false);
    expect(isRetryable(new CrossSlotError(['a', 'b'], [1, 2], 'x'))).toBe(false);
    expect(isRetryable(new ClosedError('Thing'))).toBe(false);
    expect(isRetryable(new Error('LOADING not ours'))).toBe(false);
    expect(isRetryable(undefined)).toBe(false);
    expect(isRetryable('LOADING')).toBe(false);
  });

  it('recognises errors of another copy of the package by their brands when they carry no flag', () => {
    const foreign = (brand: string, extra: object = {}) => Object.assign(Object.defineProperty(new Error('x'), Symbol.for(`@x/error:${brand}`), { value: true }), extra);
    expect(isRetryable(foreign('ConnectionError'))).toBe(true);
    expect(isRetryable(Object.defineProperty(foreign('ConnectionError'), Symbol.for('@x/error:ConnectionClosedError'), { value: true }))).toBe(false);
    expect(isRetryable(foreign('ScriptError', { redisMessage: 'CLUSTERDOWN The cluster is down' }))).toBe(true);
    expect(isRetryable(foreign('CommandError', { redisMessage: 'ERR syntax error' }))).toBe(false);
    expect(isRetryable(Object.assign(new Error('x'), { retryable: true }))).toBe(true);
  });
});

describe('the retry policy', () => {
  it('checks its options with the shared validator', () => {
    expect(checkRetryPolicy(undefined)).toBeUndefined();
    expect(checkRetryPolicy(false)).toBeUndefined();
    expect(checkRetryPolicy(true)).toEqual({ attempts: 5, baseDelayMs: 50, maxDelayMs: 1000, deadlineMs: 10_000 });
    expect(checkRetryPolicy({ attempts: 2 })?.attempts).toBe(2);
    expect(() => checkRetryPolicy({ attempt: 2 })).toThrow(/attempts/);
    expect(() => checkRetryPolicy({ attempts: 0 })).toThrow(InvalidArgumentError);
    expect(() => checkRetryPolicy({ baseDelayMs: 100, maxDelayMs: 10 })).toThrow(/maxDelayMs/);
    expect(() => checkRetryPolicy('yes')).toThrow(InvalidArgumentError);
  });

  it('retries only retryable errors, up to its attempts', async () => {
    const policy = checkRetryPolicy({ attempts: 3, baseDelayMs: 1, maxDelayMs: 2 });
    let calls = 0;
    await expect(
      withRetry(policy, async () => {
        calls++;
        throw new ScriptError('s', 'ERR bug');
      }),
    ).rejects.toThrow(/ERR bug/);
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      withRetry(policy, async () => {
        calls++;
        throw new ConnectionError('lost');
      }),
    ).rejects.toThrow(ConnectionError);
    expect(calls).toBe(3);
    calls = 0;
    expect(
      await withRetry(policy, async () => {
        if (++calls < 3) throw new ScriptError('s', 'LOADING Redis is loading');
        return 'ok';
      }),
    ).toBe('ok');
  });
});

describe('real server states', () => {
  const server = useStandalone();
  let adapter: RedisAdapter;
  let other: ReturnType<typeof createClient>;

  beforeAll(async () => {
    adapter = createRedisAdapter(server().url);
    other = createClient({ url: server().url });
    other.on('error', () => undefined);
    await other.connect();
  });
  afterAll(async () => {
    await adapter.close();
    other.destroy();
  });

  it('a script bug is a ScriptError that is not retryable, and the policy sends it once', async () => {
    const policy = checkRetryPolicy({ attempts: 5, baseDelayMs: 1 });
    const before = adapter.stats.commands;
    const error = await withRetry(policy, () => adapter.runScript(bug, { keys: ['r:{1}'] })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScriptError);
    expect(isRetryable(error)).toBe(false);
    expect(adapter.stats.commands - before).toBeLessThanOrEqual(2); // EVALSHA + EVAL after NOSCRIPT, no retry
  });

  it('while the server loads its data, calls fail with a retryable LOADING error, and the policy rides it out', async () => {
    await other.sendCommand(['DEBUG', 'POPULATE', '20000', 'fill']);
    await other.set('r:{load}', 'kept');
    await other.sendCommand(['CONFIG', 'SET', 'key-load-delay', '20']);
    await other.sendCommand(['CONFIG', 'SET', 'loading-process-events-interval-bytes', '1024']);
    const reload = other.sendCommand(['DEBUG', 'RELOAD']);
    try {
      let seen: unknown;
      await waitUntil(
        async () => {
          seen = await adapter.runScript(get, { keys: ['r:{load}'] }).catch((e: unknown) => e);
          return seen instanceof ScriptError;
        },
        { timeoutMs: 10_000, what: 'a LOADING reply' },
      );
      expect((seen as ScriptError).redisMessage).toMatch(/^LOADING/);
      expect(isRetryable(seen)).toBe(true);
      const value = await withRetry(checkRetryPolicy({ attempts: 100, baseDelayMs: 50, maxDelayMs: 500, deadlineMs: 60_000 }), () =>
        adapter.runScript(get, { keys: ['r:{load}'] }),
      );
      expect(value).toBe('kept');
    } finally {
      await reload.catch(() => undefined);
      await other.sendCommand(['CONFIG', 'SET', 'key-load-delay', '0']);
      await other.sendCommand(['FLUSHDB']);
    }
  });

  it('a script running past busy-reply-threshold makes other calls fail with a retryable BUSY error', async () => {
    await other.sendCommand(['CONFIG', 'SET', 'busy-reply-threshold', '50']);
    const spinner = createClient({ url: server().url });
    spinner.on('error', () => undefined);
    await spinner.connect();
    const running = spinner.eval(spin.source, { keys: ['r:{spin}'] }).catch((e: unknown) => e);
    try {
      let seen: unknown;
      await waitUntil(
        async () => {
          seen = await adapter.command({ command: ['GET', 'r:{x}'], keys: ['r:{x}'] }).catch((e: unknown) => e);
          return seen instanceof CommandError;
        },
        { timeoutMs: 10_000, what: 'a BUSY reply' },
      );
      expect((seen as CommandError).redisMessage).toMatch(/^BUSY /);
      expect(isRetryable(seen)).toBe(true);
    } finally {
      await waitUntil(async () => (await other.sendCommand(['SCRIPT', 'KILL']).catch((e: Error) => e.message)) === 'OK', {
        timeoutMs: 10_000,
        what: 'SCRIPT KILL',
      });
      await running;
      spinner.destroy();
      await other.sendCommand(['CONFIG', 'SET', 'busy-reply-threshold', '5000']);
    }
  });

  it('a call on a closed adapter is not retryable', async () => {
    const closed = createRedisAdapter(server().url);
    await closed.ready();
    await closed.close();
    const error = await closed.command({ command: ['PING'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(isRetryable(error)).toBe(false);
  });
});
