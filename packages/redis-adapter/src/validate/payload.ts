import { InputTooLargeError, NotSerializableError } from '../errors.js';
import { utf8LengthUpTo } from './ids.js';

/** Default byte limit of one payload (a message, a buffer slot, a checkpoint value): 1 MiB. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1_048_576;

/** Largest payload limit a package may configure: 512 MiB, Redis' own limit for one string. */
export const MAX_PAYLOAD_BYTES_LIMIT = 512 * 1024 * 1024;

/** Depth past which a value is refused (JSON.stringify would overflow the stack first). */
const MAX_DEPTH = 1000;

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function hasEnumerableSymbols(obj: object): boolean {
  const symbols = Object.getOwnPropertySymbols(obj);
  return symbols.length > 0 && symbols.some((sym) => Object.prototype.propertyIsEnumerable.call(obj, sym));
}

/** A running lower bound of the JSON size, to stop early on huge values. */
interface Budget {
  /** JSON bytes seen so far (a lower bound: string lengths, key lengths, quotes). */
  seen: number;
  readonly max: number;
}

/**
 * The fast check: true when `v` survives `JSON.stringify` / `JSON.parse`
 * unchanged. No paths, no messages: {@link jsonProblem} explains a false.
 * With a budget, stops (returning true) as soon as the size bound passes it.
 */
function jsonSafe(v: unknown, depth: number, stack: object[], budget?: Budget): boolean {
  switch (typeof v) {
    case 'string':
      if (budget !== undefined) budget.seen += v.length + 2;
      return true;
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
        for (let i = 0; ok && i < v.length; i++) {
          ok = i in v && jsonSafe(v[i], depth + 1, stack, budget);
          if (budget !== undefined && budget.seen > budget.max) break;
        }
      } else {
        ok = isPlain(v) && !hasEnumerableSymbols(v);
        if (ok) {
          const record = v as Record<string, unknown>;
          for (const key of Object.keys(record)) {
            if (budget !== undefined) budget.seen += key.length + 3;
            if (!jsonSafe(record[key], depth + 1, stack, budget)) {
              ok = false;
              break;
            }
            if (budget !== undefined && budget.seen > budget.max) break;
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

/** Why {@link jsonSafe} said no: the path of the first problem and the reason. */
function jsonProblem(value: unknown): { path: string; reason: string } {
  const ancestors = new Set<object>();
  const visit = (v: unknown, path: string, depth: number): { path: string; reason: string } | undefined => {
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return undefined;
      case 'number':
        return Number.isFinite(v) ? undefined : { path, reason: `is ${v}, which JSON cannot hold` };
      case 'undefined':
        return { path, reason: 'is undefined, which JSON cannot hold' };
      case 'bigint':
        return { path, reason: 'is a BigInt, which JSON cannot hold (send it as a string)' };
      case 'function':
        return { path, reason: 'is a function, which JSON cannot hold' };
      case 'symbol':
        return { path, reason: 'is a symbol, which JSON cannot hold' };
      default:
        break;
    }
    if (v === null) return undefined;
    const obj = v as object;
    if (depth > MAX_DEPTH) return { path, reason: `is nested too deeply (more than ${MAX_DEPTH} levels)` };
    if (ancestors.has(obj)) return { path, reason: 'refers back to itself (a cycle), which JSON cannot hold' };
    ancestors.add(obj);
    try {
      if (Array.isArray(obj)) {
        for (let i = 0; i < obj.length; i++) {
          if (!(i in obj)) return { path: `${path}[${i}]`, reason: 'is a hole in a sparse array, which JSON cannot hold' };
          const problem = visit(obj[i], `${path}[${i}]`, depth + 1);
          if (problem) return problem;
        }
        return undefined;
      }
      if (!isPlain(obj)) {
        return { path, reason: `is a ${obj.constructor?.name ?? 'object'}, not a plain object (JSON would not read it back as written)` };
      }
      if (hasEnumerableSymbols(obj)) return { path, reason: 'has symbol keys, which JSON cannot hold' };
      for (const key of Object.keys(obj)) {
        const problem = visit((obj as Record<string, unknown>)[key], `${path}.${key}`, depth + 1);
        if (problem) return problem;
      }
      return undefined;
    } finally {
      ancestors.delete(obj);
    }
  };
  return visit(value, '', 0) ?? { path: '', reason: 'cannot be encoded as JSON' };
}

/** Size options of {@link checkJsonValue}. */
export interface JsonSizeOptions {
  /** Refuse values whose JSON text is certainly longer than this many UTF-8 bytes, before encoding them. */
  readonly maxBytes?: number;
  /** The option that raises the limit, for the message (default `the payload limit`). */
  readonly limitName?: string;
  /** Builds the error for a value over the limit (default `InputTooLargeError`); `atLeast` is a lower bound. */
  readonly tooLarge?: (atLeast: number) => Error;
}

/**
 * Checks that `value` survives `JSON.stringify` / `JSON.parse` unchanged:
 * only null, booleans, finite numbers, strings, arrays without holes and
 * plain objects without symbol keys; no cycles, no `undefined` (in objects or
 * arrays), no BigInt, functions, symbols, Dates, Maps or class instances.
 * (`-0` reads back as `0`, the one change JSON makes to an accepted value.)
 * With `maxBytes`, a value that is certainly larger is refused as soon as the
 * walk has seen that much text, so a 20 MB value costs no encoding.
 *
 * @throws NotSerializableError (`ERR_NOT_SERIALIZABLE`) naming the path of the first problem
 * @throws InputTooLargeError (`ERR_TOO_LARGE`) when `maxBytes` is certainly exceeded
 */
export function checkJsonValue(value: unknown, argument: string, size: JsonSizeOptions = {}): void {
  let ok: boolean;
  const budget = size.maxBytes === undefined ? undefined : { seen: 0, max: size.maxBytes };
  try {
    ok = jsonSafe(value, 0, [], budget);
    if (budget !== undefined && budget.seen > budget.max) {
      throw (
        size.tooLarge?.(budget.seen) ??
        new InputTooLargeError(
          `${argument} is at least ${budget.seen} bytes as JSON, over the limit of ${budget.max} bytes (${size.limitName ?? 'the payload limit'})`,
          { argument, limitBytes: budget.max, actualBytes: budget.seen },
        )
      );
    }
  } catch (err) {
    if (budget !== undefined && budget.seen > budget.max) throw err;
    // A getter that throws, or a Proxy: refuse, never half-encode.
    throw new NotSerializableError(`${argument} cannot be encoded as JSON: ${(err as Error)?.message ?? String(err)}`, {
      argument,
      cause: err,
    });
  }
  if (!ok) {
    const { path, reason } = jsonProblem(value);
    throw new NotSerializableError(`${argument}${path} ${reason}`, { argument, path });
  }
}

/**
 * {@link checkJsonValue}, then the JSON text, refused when longer than
 * `maxBytes` in UTF-8 (`InputTooLargeError` naming `limitName`).
 */
export function toJson(value: unknown, argument: string, maxBytes?: number, limitName = 'the payload limit'): string {
  checkJsonValue(value, argument, maxBytes === undefined ? {} : { maxBytes, limitName });
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new NotSerializableError(`${argument} cannot be encoded as JSON: ${(err as Error)?.message ?? String(err)}`, {
      argument,
      cause: err,
    });
  }
  if (maxBytes !== undefined) checkPayloadSize(text, argument, maxBytes, limitName);
  return text;
}

/**
 * Refuses a payload (text, counted in UTF-8, or bytes) longer than `maxBytes`
 * with `InputTooLargeError` (`ERR_TOO_LARGE`); the message names `limitName`,
 * the option that raises the limit. Returns the payload.
 */
export function checkPayloadSize<P extends string | Uint8Array>(payload: P, argument: string, maxBytes: number, limitName = 'the payload limit'): P {
  const bytes = typeof payload === 'string' ? utf8LengthUpTo(payload, maxBytes) : payload.byteLength;
  if (bytes > maxBytes) {
    const exact = typeof payload !== 'string' || payload.length <= maxBytes;
    throw new InputTooLargeError(
      `${argument} is ${exact ? '' : 'at least '}${bytes} bytes, over the limit of ${maxBytes} bytes (${limitName})`,
      { argument, limitBytes: maxBytes, actualBytes: bytes },
    );
  }
  return payload;
}
