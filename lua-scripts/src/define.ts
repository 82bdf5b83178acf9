import { createHash } from 'node:crypto';
import type { ScriptDescriptor } from './descriptor.js';
import { InvalidScriptError } from './errors.js';

/** What {@link defineScript} needs: the script text and the names of its KEYS and ARGV. */
export interface DefineScriptInput<K extends readonly string[], A extends readonly string[]> {
  name: string;
  source: string;
  keys: K;
  args: A;
  variadicKeys?: boolean;
  variadicArgs?: boolean;
}

/** Every field {@link defineScript} accepts; any other is refused. */
export const DEFINE_SCRIPT_FIELDS = ['name', 'source', 'keys', 'args', 'variadicKeys', 'variadicArgs'] as const;

function shown(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)} (a string)`;
  if (typeof value === 'object') return 'an object';
  return `${String(value)} (a ${typeof value})`;
}

function names(value: unknown, field: 'keys' | 'args'): readonly string[] {
  if (!Array.isArray(value)) {
    throw new InvalidScriptError(`defineScript: ${field} must be an array of names (use [] for none), got ${value === undefined ? 'undefined' : shown(value)}`, field);
  }
  value.forEach((name: unknown, i) => {
    if (typeof name !== 'string' || name.length === 0) {
      throw new InvalidScriptError(`defineScript: ${field}[${i}] must be a non-empty string, got ${shown(name)}`, field);
    }
  });
  return value as readonly string[];
}

function flag(value: unknown, field: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new InvalidScriptError(`defineScript: ${field} must be true or false, got ${shown(value)}`, field);
  return value;
}

/** Checks the input of {@link defineScript}; every failure is an {@link InvalidScriptError}. */
function checkInput(input: unknown): void {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidScriptError(`defineScript needs { name, source, keys, args }, got ${input === undefined ? 'undefined' : shown(input)}`, 'input');
  }
  for (const key of Object.keys(input)) {
    if (!(DEFINE_SCRIPT_FIELDS as readonly string[]).includes(key)) {
      throw new InvalidScriptError(`defineScript: unknown field ${JSON.stringify(key)}; accepted: ${DEFINE_SCRIPT_FIELDS.join(', ')}`, key);
    }
  }
  const { name, source } = input as Record<string, unknown>;
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidScriptError(`defineScript: name must be a non-empty string, got ${name === undefined ? 'undefined' : shown(name)}`, 'name');
  }
  if (typeof source !== 'string' || source.trim().length === 0) {
    throw new InvalidScriptError(`defineScript: source must be the Lua text, got ${source === undefined ? 'undefined' : shown(source)}`, 'source');
  }
}

/**
 * Builds a descriptor at run time for a script that is not part of this package
 * (an application's own script, or a test's). The package's own scripts are
 * generated at build time from their `.lua` files instead.
 *
 * Every field is checked: a missing or ill-typed `name`, `source`, `keys` or
 * `args` (`keys: []` for a script without keys), a variadic flag that is not a
 * boolean, `variadicKeys` without a key to repeat, or an unknown field throws
 * {@link InvalidScriptError} (`ERR_INVALID_ARGUMENT`, recognised by
 * `isInvalidArgumentError` of every `@x` package).
 */
export function defineScript<const K extends readonly string[], const A extends readonly string[]>(
  input: DefineScriptInput<K, A>,
): ScriptDescriptor<K, A> {
  checkInput(input);
  const keys = names(input.keys, 'keys') as K;
  const args = names(input.args, 'args') as A;
  const variadicKeys = flag(input.variadicKeys, 'variadicKeys');
  const variadicArgs = flag(input.variadicArgs, 'variadicArgs');
  if (variadicKeys && keys.length === 0) throw new InvalidScriptError('defineScript: variadicKeys needs at least one key name (the last one repeats)', 'keys');
  if (variadicArgs && args.length === 0) throw new InvalidScriptError('defineScript: variadicArgs needs at least one arg name (the last one repeats)', 'args');
  return Object.freeze({
    name: input.name,
    source: input.source,
    sha1: createHash('sha1').update(input.source).digest('hex'),
    numberOfKeys: keys.length - (variadicKeys ? 1 : 0),
    keys,
    args,
    variadicKeys,
    variadicArgs,
  });
}
