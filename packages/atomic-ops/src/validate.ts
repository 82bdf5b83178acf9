import { InvalidArgumentError, assertId } from '@x/redis-adapter';
import { MessageTooLargeError } from './errors.js';

/** Largest TTL accepted (10^13 ms, about 317 years): keeps every time value exact inside Lua. */
export const MAX_TTL_MS = 10 ** 13;
/** Largest size / count option accepted (messages kept, operation ids remembered, history kept). */
export const MAX_COUNT = 1_000_000_000;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  return typeof value;
}

/** A non-negative safe integer no larger than `max`; `undefined` takes `fallback`. */
export function intOption(value: unknown, argument: string, fallback: number, options: { min?: number; max: number }): number {
  if (value === undefined) return fallback;
  const min = options.min ?? 0;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > options.max) {
    throw new InvalidArgumentError(
      `${argument} must be an integer from ${min} to ${options.max}, got ${describe(value)}`,
      { argument },
    );
  }
  return value;
}

/** A non-negative finite number; `undefined` takes `fallback`. */
export function nonNegativeNumber(value: unknown, argument: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(`${argument} must be a finite number >= 0, got ${describe(value)}`, { argument });
  }
  return value === 0 ? 0 : value; // -0 -> 0
}

/** An id (non-empty, well-formed string), or `undefined` when optional and absent. */
export function optionalId(value: unknown, argument: string): string | undefined {
  if (value === undefined) return undefined;
  return assertId(value, argument);
}

export { assertId };

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Depth past which a value is refused (JSON.stringify would overflow the stack first). */
const MAX_DEPTH = 1000;

/**
 * The fast check: true when `value` survives `JSON.stringify` / `JSON.parse`
 * unchanged. No paths, no messages: {@link describeJsonProblem} explains a false.
 */
function jsonSafe(v: unknown, depth: number, stack: object[]): boolean {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(v);
    case 'object': {
      if (v === null) return true;
      if (depth > MAX_DEPTH || stack.includes(v)) return false;
      stack.push(v);
      let ok = true;
      if (Array.isArray(v)) {
        for (let i = 0; ok && i < v.length; i++) ok = i in v && jsonSafe(v[i], depth + 1, stack);
      } else {
        ok = isPlainObject(v) && !hasEnumerableSymbols(v);
        if (ok) {
          const record = v as Record<string, unknown>;
          for (const key of Object.keys(record)) {
            if (!jsonSafe(record[key], depth + 1, stack)) {
              ok = false;
              break;
            }
          }
        }
      }
      stack.pop();
      return ok;
    }
    default:
      return false;
  }
}

function hasEnumerableSymbols(obj: object): boolean {
  const symbols = Object.getOwnPropertySymbols(obj);
  return symbols.length > 0 && symbols.some((sym) => Object.prototype.propertyIsEnumerable.call(obj, sym));
}

/** Finds why {@link jsonSafe} said no: `<path> <reason>` of the first problem. */
function describeJsonProblem(value: unknown): string {
  const ancestors = new Set<object>();
  const visit = (v: unknown, path: string, depth: number): string | undefined => {
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return undefined;
      case 'number':
        return Number.isFinite(v) ? undefined : `${path} is ${v}, which JSON cannot hold`;
      case 'undefined':
        return `${path} is undefined, which JSON cannot hold`;
      case 'bigint':
        return `${path} is a BigInt, which JSON cannot hold (send it as a string)`;
      case 'function':
        return `${path} is a function, which JSON cannot hold`;
      case 'symbol':
        return `${path} is a symbol, which JSON cannot hold`;
      default:
        break;
    }
    if (v === null) return undefined;
    const obj = v as object;
    if (depth > MAX_DEPTH) return `${path} is nested too deeply (more than ${MAX_DEPTH} levels)`;
    if (ancestors.has(obj)) return `${path} refers back to itself (a cycle), which JSON cannot hold`;
    ancestors.add(obj);
    try {
      if (Array.isArray(obj)) {
        for (let i = 0; i < obj.length; i++) {
          if (!(i in obj)) return `${path}[${i}] is a hole in a sparse array, which JSON cannot hold`;
          const problem = visit(obj[i], `${path}[${i}]`, depth + 1);
          if (problem) return problem;
        }
        return undefined;
      }
      if (!isPlainObject(obj)) {
        return `${path} is a ${describe(obj)}, not a plain object (JSON would not read it back as written)`;
      }
      if (hasEnumerableSymbols(obj)) return `${path} has symbol keys, which JSON cannot hold`;
      for (const key of Object.keys(obj)) {
        const problem = visit((obj as Record<string, unknown>)[key], `${path}.${key}`, depth + 1);
        if (problem) return problem;
      }
      return undefined;
    } finally {
      ancestors.delete(obj);
    }
  };
  return visit(value, '', 0) ?? ' cannot be encoded as JSON';
}

/**
 * Checks that `value` survives `JSON.stringify` / `JSON.parse` unchanged and
 * returns its JSON text: only null, booleans, finite numbers, strings, arrays
 * without holes and plain objects without symbol keys; no cycles, no
 * `undefined`, no BigInt, functions, symbols, Dates, Maps, class instances.
 * (`-0` reads back as `0`, the one change JSON makes to an accepted value.)
 */
export function toJsonText(value: unknown, argument: string): string {
  try {
    if (!jsonSafe(value, 0, [])) {
      throw new InvalidArgumentError(`${argument}${describeJsonProblem(value)}`, { argument });
    }
    return JSON.stringify(value);
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw err;
    // A getter that throws, or a Proxy: refuse, never half-encode.
    throw new InvalidArgumentError(`${argument} cannot be encoded as JSON: ${(err as Error)?.message ?? String(err)}`, {
      argument,
      cause: err,
    });
  }
}

/** Like {@link toJsonText}, and rejects text longer than `limitBytes` in UTF-8. */
export function toBoundedJson(value: unknown, argument: string, limitBytes: number): string {
  const text = toJsonText(value, argument);
  // Cheap bound first: a UTF-16 code unit is at most 3 UTF-8 bytes.
  if (text.length * 3 > limitBytes) {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > limitBytes) throw new MessageTooLargeError(argument, bytes, limitBytes);
  }
  return text;
}

/** Checks one chat message: a plain JSON object with a non-empty string `role`. Returns its JSON text. */
export function messageJson(message: unknown, argument: string, limitBytes: number): string {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    throw new InvalidArgumentError(`${argument} must be an object with a string role, got ${describe(message)}`, {
      argument,
    });
  }
  const role = (message as { role?: unknown }).role;
  if (typeof role !== 'string' || role.length === 0) {
    throw new InvalidArgumentError(`${argument}.role must be a non-empty string, got ${describe(role)}`, { argument });
  }
  return toBoundedJson(message, argument, limitBytes);
}
