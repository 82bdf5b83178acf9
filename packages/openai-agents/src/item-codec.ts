import { InvalidArgumentError, NotSerializableError } from '@x/redis-adapter';

/**
 * How session items are stored: as JSON with a few tagged values for what JSON
 * cannot hold, so every item reads back exactly as it was written.
 *
 * - a `Uint8Array` (a `Buffer` too) is `{"$bytes":"<base64>"}` and reads back as a `Uint8Array`;
 * - `undefined` (an object property set to undefined, an array slot) is `{"$undefined":1}`;
 * - `NaN`, `Infinity`, `-Infinity` and `-0` are `{"$number":"NaN"}` and so on;
 * - a plain object whose only key is one of these tags is wrapped as `{"$object":{...}}`.
 *
 * Object keys are written in sorted order, so one item always has one text: the
 * stored texts can be compared byte for byte (the expected suffix of a
 * `replace_suffix` transaction is checked that way inside Redis).
 *
 * Anything else that is not JSON (BigInt, functions, symbols, Dates, Maps, class
 * instances, other typed arrays, cycles) is refused with a `NotSerializableError`
 * (`ERR_NOT_SERIALIZABLE`, a kind of `InvalidArgumentError`).
 */

const TAGS = new Set(['$bytes', '$undefined', '$number', '$object']);
const MAX_DEPTH = 1000;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Sets an own enumerable property, `__proto__` included (plain assignment would set the prototype). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function describe(value: unknown): string {
  if (typeof value === 'object' && value !== null) return value.constructor?.name ?? 'object';
  return typeof value;
}

function encodeValue(value: unknown, path: string, depth: number, seen: Set<object>): Json {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Number.isFinite(value) && !Object.is(value, -0)) return value;
      return { $number: Object.is(value, -0) ? '-0' : String(value) };
    case 'undefined':
      return { $undefined: 1 };
    case 'object':
      break;
    default:
      throw new NotSerializableError(`${path} is a ${typeof value}, which a session item cannot hold`, { argument: path });
  }
  if (value === null) return null;
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (depth > MAX_DEPTH) throw new NotSerializableError(`${path} is nested more than ${MAX_DEPTH} levels deep`, { argument: path });
  if (seen.has(value)) throw new NotSerializableError(`${path} refers back to itself (a cycle)`, { argument: path });
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      const out: Json[] = new Array(value.length);
      for (let i = 0; i < value.length; i++) out[i] = encodeValue(value[i], `${path}[${i}]`, depth + 1, seen);
      return out;
    }
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      throw new NotSerializableError(
        `${path} is a ${describe(value)}; a session item holds only JSON values, Uint8Array and undefined`,
        { argument: path },
      );
    }
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    const out: { [key: string]: Json } = {};
    for (const key of keys) setOwn(out, key, encodeValue(record[key], `${path}.${key}`, depth + 1, seen));
    return keys.length === 1 && TAGS.has(keys[0]!) ? { $object: out } : out;
  } finally {
    seen.delete(value);
  }
}

/** Encodes one item as a JSON-safe value (see the module comment). Throws `NotSerializableError` on what it cannot hold. */
export function encodeItem(item: unknown, path: string): Json {
  try {
    return encodeValue(item, path, 0, new Set());
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw err;
    // A getter that throws, a Proxy, a stack overflow: refuse, never half-encode.
    throw new NotSerializableError(`${path} cannot be stored: ${(err as Error)?.message ?? String(err)}`, {
      argument: path,
      cause: err,
    });
  }
}

function decodeNumber(text: unknown): number {
  switch (text) {
    case '-0':
      return -0;
    case 'NaN':
      return Number.NaN;
    case 'Infinity':
      return Number.POSITIVE_INFINITY;
    case '-Infinity':
      return Number.NEGATIVE_INFINITY;
    default:
      throw new TypeError(`unknown $number ${JSON.stringify(text)} in a stored session item`);
  }
}

function decodeObject(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record)) setOwn(out, key, decodeItem(record[key]));
  return out;
}

/** The inverse of {@link encodeItem}, applied to the parsed JSON. */
export function decodeItem(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(decodeItem);
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1) {
    switch (keys[0]) {
      case '$bytes':
        return new Uint8Array(Buffer.from(String(record.$bytes), 'base64'));
      case '$undefined':
        return undefined;
      case '$number':
        return decodeNumber(record.$number);
      case '$object':
        return decodeObject(record.$object as Record<string, unknown>);
      default:
        break;
    }
  }
  return decodeObject(record);
}
