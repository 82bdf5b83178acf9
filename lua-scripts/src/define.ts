import { createHash } from 'node:crypto';
import type { ScriptDescriptor } from './descriptor.js';

/** What {@link defineScript} needs: the script text and the names of its KEYS and ARGV. */
export interface DefineScriptInput<K extends readonly string[], A extends readonly string[]> {
  name: string;
  source: string;
  keys: K;
  args: A;
  variadicKeys?: boolean;
  variadicArgs?: boolean;
}

/**
 * Builds a descriptor at run time for a script that is not part of this package
 * (an application's own script, or a test's). The package's own scripts are
 * generated at build time from their `.lua` files instead.
 */
export function defineScript<const K extends readonly string[], const A extends readonly string[]>(
  input: DefineScriptInput<K, A>,
): ScriptDescriptor<K, A> {
  const variadicKeys = input.variadicKeys ?? false;
  return Object.freeze({
    name: input.name,
    source: input.source,
    sha1: createHash('sha1').update(input.source).digest('hex'),
    numberOfKeys: input.keys.length - (variadicKeys ? 1 : 0),
    keys: input.keys,
    args: input.args,
    variadicKeys,
    variadicArgs: input.variadicArgs ?? false,
  });
}
