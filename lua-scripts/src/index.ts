/**
 * Every Lua script the `@x` Redis primitives run, as typed descriptors
 * (`{ name, source, sha1, numberOfKeys, keys, args }`), grouped by area:
 * `import { lock } from '@x/lua-scripts'; lock.acquire.numberOfKeys`.
 *
 * @packageDocumentation
 */
export type { ScriptDescriptor, ScriptKeyName, ScriptArgName } from './descriptor.js';
export * from '../generated/index.js';
export { DEFINE_SCRIPT_FIELDS, defineScript, type DefineScriptInput } from './define.js';
export { InvalidScriptError, isInvalidScriptError } from './errors.js';
