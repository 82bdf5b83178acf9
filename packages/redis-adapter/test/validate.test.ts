import { describe, expect, it } from 'vitest';
import {
  ClosedError,
  ConnectionError,
  InputTooLargeError,
  InvalidArgumentError,
  NotSerializableError,
  RedisPrimitiveError,
  UnknownOptionError,
  checkId,
  checkInteger,
  checkJsonValue,
  checkNumber,
  checkOptions,
  checkPayloadSize,
  createRedisAdapter,
  errorGuard,
  isClosedError,
  isConnectionError,
  isInputTooLargeError,
  defineScript,
  isInvalidArgumentError,
  isRedisPrimitiveError,
  isNotSerializableError,
  isUnknownOptionError,
  nearestName,
  toJson,
} from '../src/index.js';
import { brandFor } from '../src/validate/brand.js';
import { mapError } from '../src/node-redis/map-error.js';

const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
};

describe('checkOptions', () => {
  const spec = { accepted: ['ttlMs', 'prefix', 'maxMessages'], renamed: { ttl: 'ttlMs' } };

  it('accepts known keys and undefined, refuses non-objects', () => {
    expect(checkOptions({ ttlMs: 1 }, 'X options', spec)).toEqual({ ttlMs: 1 });
    expect(checkOptions(undefined, 'X options', spec)).toEqual({});
    for (const bad of [null, 5, 'ttlMs', [1], new Map()]) {
      const err = thrown(() => checkOptions(bad as never, 'X options', spec));
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as Error).message).toMatch(/X options must be a plain object/);
    }
  });

  it('names the unknown key, the accepted ones and the nearest name', () => {
    const err = thrown(() => checkOptions({ maxMesages: 3 } as never, 'X options', spec)) as UnknownOptionError;
    expect(err).toBeInstanceOf(UnknownOptionError);
    expect(err.code).toBe('ERR_UNKNOWN_OPTION');
    expect(err.option).toBe('maxMesages');
    expect(err.suggestion).toBe('maxMessages');
    expect(err.accepted).toEqual(spec.accepted);
    expect(err.message).toMatch(/unknown option "maxMesages". Did you mean "maxMessages"\? Accepted: ttlMs, prefix, maxMessages/);
  });

  it('catches a typo even when its value is undefined', () => {
    expect(thrown(() => checkOptions({ prefx: undefined } as never, 'X options', spec))).toBeInstanceOf(UnknownOptionError);
  });

  it('points a renamed option at its new name', () => {
    const err = thrown(() => checkOptions({ ttl: 5 } as never, 'X options', spec)) as UnknownOptionError;
    expect(err.suggestion).toBe('ttlMs');
    expect(err.message).toMatch(/"ttl" is no longer an option, use "ttlMs"/);
  });

  it('suggests unit suffixes and case fixes, and nothing for far-off names', () => {
    expect(nearestName('timeout', ['timeoutMs', 'signal'])).toBe('timeoutMs');
    expect(nearestName('operationID', ['operationId', 'ttlMs'])).toBe('operationId');
    expect(nearestName('limt', ['limit', 'offset'])).toBe('limit');
    expect(nearestName('banana', ['limit', 'offset'])).toBeUndefined();
    expect(nearestName('x'.repeat(10_000), ['limit'])).toBeUndefined();
  });
});

describe('numbers', () => {
  it('reports the received value with its type', () => {
    const err = thrown(() => checkInteger('30000', 'timeoutMs', { min: 0, max: 10 })) as InvalidArgumentError;
    expect(err.message).toBe('timeoutMs must be an integer from 0 to 10, got "30000" (a string)');
    expect(err.argument).toBe('timeoutMs');
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, -1, 1.5, 11, 10n, null, true]) {
      expect(thrown(() => checkInteger(bad, 'n', { max: 10 }))).toBeInstanceOf(InvalidArgumentError);
    }
    expect(checkInteger(undefined, 'n', {}, 7)).toBe(7);
    expect(Object.is(checkInteger(-0, 'n'), 0)).toBe(true);
    expect(checkNumber(1.5, 'latencyMs')).toBe(1.5);
    expect(thrown(() => checkNumber(Number.NaN, 'latencyMs'))).toBeInstanceOf(InvalidArgumentError);
  });
});

describe('checkId', () => {
  it('refuses non-strings without converting them', () => {
    const err = thrown(() => checkId(42, 'sessionId')) as InvalidArgumentError;
    expect(err.message).toBe('sessionId must be a string, got 42 (a number)');
  });

  it('refuses empty and ill-formed ids, accepts odd characters', () => {
    expect(thrown(() => checkId('', 'id'))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => checkId('a\ud800', 'id'))).toBeInstanceOf(InvalidArgumentError);
    for (const odd of ['a:b', '{x}', '*?[]\\', 'nul\0byte', 'ü🙂', ' ']) expect(checkId(odd, 'id')).toBe(odd);
  });

  it('enforces the byte limit in UTF-8 bytes, fast even for 10 MB', () => {
    expect(checkId('x'.repeat(1024), 'id')).toHaveLength(1024);
    const over = thrown(() => checkId('x'.repeat(1025), 'id')) as InputTooLargeError;
    expect(over).toBeInstanceOf(InputTooLargeError);
    expect(over.code).toBe('ERR_TOO_LARGE');
    expect(over.limitBytes).toBe(1024);
    // 342 characters, 1026 bytes.
    expect((thrown(() => checkId('€'.repeat(342), 'id')) as InputTooLargeError).actualBytes).toBe(1026);
    expect(checkId('€'.repeat(341), 'id')).toHaveLength(341);
    expect(thrown(() => checkId('x'.repeat(10_000_000), 'id'))).toBeInstanceOf(InputTooLargeError);
    expect(checkId('x'.repeat(5000), 'id', 5000)).toHaveLength(5000);
  });
});

describe('payloads', () => {
  it('refuses values JSON cannot read back, naming the path', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const cases: [unknown, RegExp][] = [
      [{ n: 1n }, /value\.n is a BigInt/],
      [cyclic, /value\.self refers back to itself/],
      [{ f: () => 1 }, /value\.f is a function/],
      [[1, undefined], /value\[1\] is undefined/],
      [{ d: new Date() }, /value\.d is a Date, not a plain object/],
      [Number.NaN, /value is NaN/],
    ];
    for (const [value, message] of cases) {
      const err = thrown(() => checkJsonValue(value, 'value')) as NotSerializableError;
      expect(err).toBeInstanceOf(NotSerializableError);
      expect(err.code).toBe('ERR_NOT_SERIALIZABLE');
      expect(err.message).toMatch(message);
    }
    expect(toJson({ a: [1, 'x', null, true] }, 'value')).toBe('{"a":[1,"x",null,true]}');
    const deep: Record<string, unknown> = {};
    let cursor = deep;
    for (let i = 0; i < 5000; i++) cursor = (cursor.next = {}) as Record<string, unknown>;
    expect((thrown(() => checkJsonValue(deep, 'value')) as Error).message).toMatch(/nested too deeply/);
  });

  it('enforces the payload limit in bytes', () => {
    expect(checkPayloadSize('x'.repeat(10), 'slot', 10)).toHaveLength(10);
    const err = thrown(() => checkPayloadSize(new Uint8Array(11), 'slot', 10, 'maxSlotBytes')) as InputTooLargeError;
    expect(err.message).toMatch(/slot is 11 bytes, over the limit of 10 bytes \(maxSlotBytes\)/);
    expect(thrown(() => toJson({ s: '€'.repeat(10) }, 'value', 20))).toBeInstanceOf(InputTooLargeError);
    // A huge value is refused by the size bound while walking, before anything is encoded.
    const huge = thrown(() => checkJsonValue({ a: 'x'.repeat(20_000_000), b: 1n }, 'value', { maxBytes: 1024 })) as InputTooLargeError;
    expect(huge).toBeInstanceOf(InputTooLargeError);
    expect(huge.actualBytes).toBeGreaterThan(20_000_000);
  });
});

describe('error brands', () => {
  it('keeps instanceof and adds guards that work across copies', () => {
    const err = new UnknownOptionError('m', { where: 'w', option: 'o', accepted: [] });
    expect(err).toBeInstanceOf(UnknownOptionError);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err).toBeInstanceOf(RedisPrimitiveError);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(InputTooLargeError);
    expect(isUnknownOptionError(err) && isInvalidArgumentError(err)).toBe(true);
    expect(isInputTooLargeError(err) || isNotSerializableError(err) || isConnectionError(err)).toBe(false);

    // A copy of the classes from another instance of the package: a plain object with the brands.
    const foreign = Object.assign(new Error('from another copy'), { code: 'ERR_TOO_LARGE' });
    for (const name of ['RedisPrimitiveError', 'InvalidArgumentError', 'InputTooLargeError']) {
      Object.defineProperty(foreign, brandFor(name), { value: true });
    }
    expect(foreign).toBeInstanceOf(InputTooLargeError);
    expect(isInputTooLargeError(foreign)).toBe(true);
    expect(isInvalidArgumentError(foreign)).toBe(true);
    expect(foreign).not.toBeInstanceOf(ConnectionError);
    expect(new Error('plain')).not.toBeInstanceOf(RedisPrimitiveError);
    expect(isInvalidArgumentError(null) || isInvalidArgumentError('x')).toBe(false);
  });

  it('gives subclasses in other packages a brand and a guard', () => {
    class LockLostError extends RedisPrimitiveError {
      static readonly brand = Symbol.for('@x/test:LockLostError');
      constructor() {
        super('ERR_LOCK_LOST', 'lost');
      }
    }
    class Unbranded extends ClosedError {}
    const isLockLostError = errorGuard(LockLostError);
    expect(isLockLostError(new LockLostError())).toBe(true);
    expect(new LockLostError()).toBeInstanceOf(LockLostError);
    expect(new LockLostError()).not.toBeInstanceOf(Unbranded);
    const closed = new Unbranded('Thing');
    expect(closed.message).toBe('Thing is closed: create a new one');
    expect(isClosedError(closed)).toBe(true);
    expect(closed).toBeInstanceOf(Unbranded);
  });
});

describe('createRedisAdapter input', () => {
  it('refuses unknown options and says which target shapes it accepts', () => {
    expect(thrown(() => createRedisAdapter('redis://127.0.0.1:1', { onErorr: () => undefined } as never))).toBeInstanceOf(
      UnknownOptionError,
    );
    const err = thrown(() => createRedisAdapter({ host: 'localhost', port: 6380 } as never)) as InvalidArgumentError;
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err.message).toMatch(/a 'redis:\/\/' or 'rediss:\/\/' URL; \{ url, \.\.\. \}/);
    expect(err.message).toMatch(/For a host and port pass 'redis:\/\/host:port' or \{ socket: \{ host, port \} \}/);
    expect((thrown(() => createRedisAdapter({ prefix: 'p' } as never)) as Error).message).toMatch(/look like options/);
    expect(thrown(() => createRedisAdapter(undefined as never))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => createRedisAdapter('localhost:6379'))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => createRedisAdapter(['redis://a:1', 'nope']))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => createRedisAdapter({ url: 'redis://a:1', rootNodes: [] } as never))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => createRedisAdapter('redis://a:1', { commandTimeoutMs: '5' as never }))).toBeInstanceOf(InvalidArgumentError);
  });
});

describe('argument errors of node-redis', () => {
  it('become InvalidArgumentError, never ConnectionError', () => {
    for (const err of [new TypeError('Invalid argument type'), new RangeError('bad length')]) {
      const mapped = mapError(err, { command: 'SET' });
      expect(mapped).toBeInstanceOf(InvalidArgumentError);
      expect(mapped).not.toBeInstanceOf(ConnectionError);
      expect(mapped.message).toMatch(/node-redis refused the arguments of SET/);
      expect((mapped as InvalidArgumentError).cause).toBe(err);
    }
    expect(mapError(new Error('ECONNRESET'), { command: 'SET' })).toBeInstanceOf(ConnectionError);
  });
});

describe('defineScript (re-exported from @x/lua-scripts)', () => {
  it('refuses a script without keys with an error the adapter guards and instanceof recognise', () => {
    let err: unknown;
    try {
      defineScript({ name: 'app/no-keys', source: 'return 1', args: [] } as never);
    } catch (error) {
      err = error;
    }
    expect(err).not.toBeInstanceOf(TypeError);
    expect(isInvalidArgumentError(err)).toBe(true);
    expect(isRedisPrimitiveError(err)).toBe(true);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err).toBeInstanceOf(RedisPrimitiveError);
    expect((err as InvalidArgumentError).code).toBe('ERR_INVALID_ARGUMENT');
    expect((err as InvalidArgumentError).argument).toBe('keys');
  });
});
