import { describe, expect, it } from 'vitest';
import { InvalidScriptError, defineScript, isInvalidScriptError } from '../src/index.js';

/** What `fn` threw; fails when it did not throw. */
function thrown(fn: () => unknown): InvalidScriptError {
  try {
    fn();
  } catch (error) {
    return error as InvalidScriptError;
  }
  throw new Error('expected a throw');
}

const ok = { name: 'app/x', source: 'return 1', keys: ['k'], args: ['a'] };

describe('defineScript input checks', () => {
  it('a missing keys list is a typed error naming keys, not a TypeError', () => {
    const { keys: _keys, ...noKeys } = ok;
    const err = thrown(() => defineScript(noKeys as never));
    expect(err).not.toBeInstanceOf(TypeError);
    expect(err).toBeInstanceOf(InvalidScriptError);
    expect(isInvalidScriptError(err)).toBe(true);
    expect(err.code).toBe('ERR_INVALID_ARGUMENT');
    expect(err.argument).toBe('keys');
    expect(err.message).toMatch(/keys must be an array of names \(use \[\] for none\), got undefined/);
  });

  it('carries the brands of the adapter InvalidArgumentError and RedisPrimitiveError (Symbol.for)', () => {
    const err = thrown(() => defineScript({ ...ok, args: undefined } as never)) as unknown as Record<symbol, unknown>;
    expect(err[Symbol.for('@x/error:InvalidArgumentError')]).toBe(true);
    expect(err[Symbol.for('@x/error:RedisPrimitiveError')]).toBe(true);
    expect(err[Symbol.for('@x/lua-scripts:InvalidScriptError')]).toBe(true);
    // A copy from another bundle is recognised by brand.
    const foreign = Object.defineProperty(new Error('x'), Symbol.for('@x/lua-scripts:InvalidScriptError'), { value: true });
    expect(foreign).toBeInstanceOf(InvalidScriptError);
    expect(new Error('plain')).not.toBeInstanceOf(InvalidScriptError);
  });

  it.each([
    ['no input', undefined, 'input'],
    ['an empty name', { ...ok, name: '' }, 'name'],
    ['a numeric name', { ...ok, name: 7 }, 'name'],
    ['no source', { ...ok, source: undefined }, 'source'],
    ['a blank source', { ...ok, source: '  ' }, 'source'],
    ['keys as a string', { ...ok, keys: 'k' }, 'keys'],
    ['a key name that is a number', { ...ok, keys: ['k', 2] }, 'keys'],
    ['args missing', { ...ok, args: undefined }, 'args'],
    ['variadicKeys as a string', { ...ok, variadicKeys: 'yes' }, 'variadicKeys'],
    ['variadicKeys without a key', { ...ok, keys: [], variadicKeys: true }, 'keys'],
    ['variadicArgs without an arg', { ...ok, args: [], variadicArgs: true }, 'args'],
    ['an unknown field', { ...ok, numKeys: 1 }, 'numKeys'],
  ])('refuses %s', (_label, input, argument) => {
    const err = thrown(() => defineScript(input as never));
    expect(err).toBeInstanceOf(InvalidScriptError);
    expect(err.code).toBe('ERR_INVALID_ARGUMENT');
    expect(err.argument).toBe(argument);
  });

  it('accepts a script without keys when it says so (keys: [])', () => {
    const s = defineScript({ name: 'app/keyless', source: 'return 1', keys: [], args: [] });
    expect(s.numberOfKeys).toBe(0);
    expect(s.sha1).toMatch(/^[0-9a-f]{40}$/);
    expect(Object.isFrozen(s)).toBe(true);
  });
});
