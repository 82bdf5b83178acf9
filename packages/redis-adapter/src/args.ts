import type { ScriptDescriptor } from '@x/lua-scripts';
import { InvalidArgumentError } from './errors.js';
import type { RedisArg, ScriptValues } from './port.js';

/** Converts one argument to what node-redis sends (string or Buffer), or throws before sending. */
export function toWire(value: unknown, where: string): string | Buffer {
  if (typeof value === 'string') return value;
  return toWireSlow(value, where);
}

/**
 * {@link toWire} for a value at a numbered place (`<label> <kind>[<index + base>]`):
 * the place is put into words only when the value is refused, not on every call.
 */
export function toWireAt(value: unknown, label: string, kind: string, index: number, base: number): string | Buffer {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return toWireSlow(value, `${label} ${kind}[${index + base}]`);
}

function toWireSlow(value: unknown, where: string): string | Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidArgumentError(`${where} is not a finite number (${value})`, { argument: where });
    return String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  throw new InvalidArgumentError(
    `${where} must be a string, Uint8Array, number or bigint, got ${value === null ? 'null' : typeof value}`,
    { argument: where },
  );
}

function fromRecord(
  names: readonly string[],
  variadic: boolean,
  record: Readonly<Record<string, RedisArg | readonly RedisArg[]>>,
  what: string,
  script: string,
): RedisArg[] {
  const known = new Set(names);
  for (const name of Object.keys(record)) {
    if (!known.has(name)) {
      throw new InvalidArgumentError(`${script}: unknown ${what} name "${name}" (expected ${names.join(', ') || 'none'})`, {
        argument: what,
      });
    }
  }
  const out: RedisArg[] = [];
  names.forEach((name, i) => {
    const value = record[name];
    const last = i === names.length - 1;
    if (last && variadic) {
      if (value === undefined) return;
      if (!Array.isArray(value)) {
        throw new InvalidArgumentError(`${script}: ${what} "${name}" is variadic and takes an array`, { argument: name });
      }
      out.push(...(value as RedisArg[]));
      return;
    }
    if (value === undefined) {
      throw new InvalidArgumentError(`${script}: missing ${what} "${name}"`, { argument: name });
    }
    if (Array.isArray(value)) {
      throw new InvalidArgumentError(`${script}: ${what} "${name}" takes one value, not an array`, { argument: name });
    }
    out.push(value as RedisArg);
  });
  return out;
}

/**
 * Turns the KEYS and ARGV of a call into the wire arguments of
 * `EVALSHA <sha1> <numkeys> KEYS... ARGV...`, checking their counts against the
 * descriptor. Returns the arguments and the number of keys.
 */
export function scriptWireArgs(
  script: ScriptDescriptor,
  keys: ScriptValues,
  args: ScriptValues | undefined,
): { wire: (string | Buffer)[]; keyCount: number } {
  const keyList = Array.isArray(keys)
    ? (keys as readonly RedisArg[])
    : fromRecord(script.keys, script.variadicKeys, keys as Record<string, RedisArg>, 'KEYS', script.name);
  const argList =
    args === undefined
      ? []
      : Array.isArray(args)
        ? (args as readonly RedisArg[])
        : fromRecord(script.args, script.variadicArgs, args as Record<string, RedisArg>, 'ARGV', script.name);
  const okKeys = script.variadicKeys ? keyList.length >= script.numberOfKeys : keyList.length === script.numberOfKeys;
  if (!okKeys) {
    throw new InvalidArgumentError(
      `${script.name} takes ${script.variadicKeys ? 'at least ' : ''}${script.numberOfKeys} key(s), got ${keyList.length}`,
      { argument: 'keys' },
    );
  }
  const fixedArgs = script.args.length - (script.variadicArgs ? 1 : 0);
  if (Array.isArray(args) && script.args.length > 0) {
    const okArgs = script.variadicArgs ? argList.length >= fixedArgs : argList.length === script.args.length;
    if (!okArgs) {
      throw new InvalidArgumentError(
        `${script.name} takes ${script.variadicArgs ? 'at least ' : ''}${fixedArgs} arg(s), got ${argList.length}`,
        { argument: 'args' },
      );
    }
  }
  const label = script.name;
  const wire: (string | Buffer)[] = new Array(3 + keyList.length + argList.length);
  wire[0] = 'EVALSHA';
  wire[1] = script.sha1;
  wire[2] = String(keyList.length);
  let at = 3;
  for (let i = 0; i < keyList.length; i++) wire[at++] = toWireAt(keyList[i], label, 'KEYS', i, 1);
  for (let i = 0; i < argList.length; i++) wire[at++] = toWireAt(argList[i], label, 'ARGV', i, 1);
  return { wire, keyCount: keyList.length };
}
