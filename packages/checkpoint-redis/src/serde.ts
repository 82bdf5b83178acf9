import { DeltaSnapshot, JsonPlusSerializer } from '@langchain/langgraph-checkpoint';

const DATE_MARK = '"id":["Date"]';

interface DateRecord {
  lc: 2;
  type: 'constructor';
  id: ['Date'];
  method: null;
  args: [number | null];
  kwargs: Record<string, never>;
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isDateRecord(value: unknown): value is DateRecord {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<DateRecord>;
  return (
    v.lc === 2 &&
    v.type === 'constructor' &&
    Array.isArray(v.id) &&
    v.id.length === 1 &&
    v.id[0] === 'Date' &&
    Array.isArray(v.args) &&
    v.args.length === 1 &&
    (typeof v.args[0] === 'number' || v.args[0] === null) // an invalid Date's NaN is JSON null
  );
}

/**
 * A DeltaSnapshot of any copy of `@langchain/langgraph-checkpoint`, recognised by
 * its brand (`lg_name`), not by `instanceof`: an app may load another copy (its own
 * install, or the CJS build beside the ESM one) whose class is not ours.
 */
function isAnyDeltaSnapshot(value: object): value is { lg_name: 'DeltaSnapshot'; value: unknown } {
  return value instanceof DeltaSnapshot || (value as { lg_name?: unknown }).lg_name === 'DeltaSnapshot';
}

/**
 * True when `value` holds something plain JsonPlusSerializer would not write
 * as LangGraph does: a Date, or a DeltaSnapshot of another copy of the package
 * (upstream tests `instanceof` its own class). Looks into arrays, plain objects,
 * Maps, Sets and snapshots.
 */
function needsEncoding(value: unknown, seen: WeakSet<object>): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (value instanceof Date) return true;
  if (seen.has(value)) return false;
  seen.add(value);
  if (isAnyDeltaSnapshot(value)) return !(value instanceof DeltaSnapshot) || needsEncoding(value.value, seen);
  if (Array.isArray(value)) return value.some((v) => needsEncoding(v, seen));
  if (value instanceof Map) {
    for (const [k, v] of value) if (needsEncoding(k, seen) || needsEncoding(v, seen)) return true;
    return false;
  }
  if (value instanceof Set) {
    for (const v of value) if (needsEncoding(v, seen)) return true;
    return false;
  }
  if (!isPlainObject(value)) return false;
  for (const v of Object.values(value)) if (needsEncoding(v, seen)) return true;
  return false;
}

/**
 * A copy with every Date (in arrays, plain objects, Maps, Sets, snapshots) replaced
 * by a constructor record, and every DeltaSnapshot (of any copy) by one of ours.
 */
function encodeDates(value: unknown, seen: Map<object, unknown>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Date) {
    return { lc: 2, type: 'constructor', id: ['Date'], method: null, args: [value.getTime()], kwargs: {} } satisfies DateRecord;
  }
  if (seen.has(value)) return seen.get(value);
  if (isAnyDeltaSnapshot(value)) {
    const out = new DeltaSnapshot<unknown>(undefined);
    seen.set(value, out);
    out.value = encodeDates(value.value, seen);
    return out;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const v of value) out.push(encodeDates(v, seen));
    return out;
  }
  if (value instanceof Map) {
    const out = new Map();
    seen.set(value, out);
    for (const [k, v] of value) out.set(encodeDates(k, seen), encodeDates(v, seen));
    return out;
  }
  if (value instanceof Set) {
    const out = new Set();
    seen.set(value, out);
    for (const v of value) out.add(encodeDates(v, seen));
    return out;
  }
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const [k, v] of Object.entries(value)) out[k] = encodeDates(v, seen);
  return out;
}

/** Revives Date records in place (arrays, plain objects, Maps, Sets, snapshots). */
function decodeDates(value: unknown, seen: WeakSet<object>): unknown {
  if (isDateRecord(value)) return new Date(value.args[0] ?? Number.NaN);
  if (typeof value !== 'object' || value === null || seen.has(value)) return value;
  seen.add(value);
  if (value instanceof DeltaSnapshot) {
    value.value = decodeDates(value.value, seen);
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = decodeDates(value[i], seen);
  } else if (value instanceof Map) {
    const entries = [...value].map(([k, v]) => [decodeDates(k, seen), decodeDates(v, seen)] as const);
    value.clear();
    for (const [k, v] of entries) value.set(k, v);
  } else if (value instanceof Set) {
    const items = [...value].map((v) => decodeDates(v, seen));
    value.clear();
    for (const v of items) value.add(v);
  } else if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) value[k] = decodeDates(v, seen);
  }
  return value;
}

// ------------------------------------------------------------------------
// A synchronous twin of JsonPlusSerializer's reviver (serde/jsonplus.js in
// @langchain/langgraph-checkpoint 1.2): the upstream reviver is async at every
// node of the value (it may need `load()` for LangChain objects), which costs
// more than the parse itself. This one revives the same closed set of lc:2
// records synchronously and gives up (ASYNC) at the first LangChain-serialized
// object (lc:1), where the caller falls back to the upstream path. A test
// checks both give the same values.

const ASYNC = Symbol('needs the async reviver');

function isByteArray(value: unknown[]): boolean {
  return value.every((item) => typeof item === 'number' && Number.isInteger(item) && item >= 0 && item <= 255);
}

function reviveConstructorRecord(record: Record<string, unknown>): unknown {
  const id = record.id;
  if (!Array.isArray(id) || id.length !== 1) return undefined;
  const noMethod = record.method === undefined || record.method === null;
  const args = record.args;
  const singleArrayArg = Array.isArray(args) && args.length === 1 && Array.isArray(args[0]);
  switch (id[0]) {
    case 'Set':
      if (!noMethod || !singleArrayArg) return undefined;
      return new Set((args as unknown[][])[0]);
    case 'Map':
      if (!noMethod || !singleArrayArg) return undefined;
      if (!(args as unknown[][])[0]!.every((e) => Array.isArray(e) && e.length === 2)) return undefined;
      return new Map((args as [unknown, unknown][][])[0]);
    case 'RegExp':
      if (!noMethod || !Array.isArray(args) || args.length !== 2 || typeof args[0] !== 'string' || typeof args[1] !== 'string') {
        return undefined;
      }
      try {
        return new RegExp(args[0], args[1]);
      } catch {
        return undefined;
      }
    case 'Error':
      if (!noMethod || !Array.isArray(args) || args.length !== 1 || typeof args[0] !== 'string') return undefined;
      return new Error(args[0]);
    case 'Uint8Array':
      if (!(noMethod || record.method === 'from') || !singleArrayArg || !isByteArray((args as unknown[][])[0]!)) return undefined;
      return new Uint8Array((args as number[][])[0]!);
    default:
      return undefined;
  }
}

function reviveSync(value: unknown): unknown {
  if (!value || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const item = reviveSync(value[i]);
      if (item === ASYNC) return ASYNC;
      out[i] = item;
    }
    return out;
  }
  const revived: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const item = reviveSync(v);
    if (item === ASYNC) return ASYNC;
    revived[k] = item; // plain assignment, exactly as upstream
  }
  if (revived.lc === 2) {
    if (revived.type === 'undefined') return undefined;
    if (revived.type === 'delta_snapshot' && Object.prototype.hasOwnProperty.call(revived, 'value')) {
      return new DeltaSnapshot(revived.value);
    }
    if (revived.type === 'constructor') {
      if (isDateRecord(revived)) return new Date(revived.args[0] ?? Number.NaN);
      return reviveConstructorRecord(revived) ?? revived;
    }
  }
  if (revived.lc === 1 && revived.type === 'constructor' && Array.isArray(revived.id)) return ASYNC;
  return revived;
}

const decoder = new TextDecoder();

/** Returned by {@link loadSync} when the value needs the asynchronous path. */
export const NEEDS_ASYNC: unique symbol = Symbol('needs loadsTyped');

/**
 * What `RedisJsonPlusSerializer.loadsTyped` resolves to, computed synchronously
 * (no promise per value), or {@link NEEDS_ASYNC} when the value holds a
 * LangChain-serialized object (or has a type other than json / bytes).
 * `data` is kept for `bytes`: pass a copy the caller may give away.
 */
export function loadSync(type: string, data: Uint8Array): unknown {
  if (type === 'bytes') return data;
  if (type !== 'json') return NEEDS_ASYNC;
  const fast = reviveSync(JSON.parse(decoder.decode(data)));
  return fast === ASYNC ? NEEDS_ASYNC : fast;
}

/**
 * The default serializer of the Redis savers: LangGraph's `JsonPlusSerializer`
 * (same bytes for everything it handles: messages, `Uint8Array`, `Map`, `Set`,
 * `undefined`, `Error`, `RegExp`, ...) plus `Date`, which JSON alone turns into
 * an ISO string. A Date is written as the record
 * `{ lc: 2, type: "constructor", id: ["Date"], args: [epochMs] }`; a plain
 * `JsonPlusSerializer` reads such a record back as that inert object. Values
 * without LangChain objects are revived synchronously (same result, faster).
 */
export class RedisJsonPlusSerializer extends JsonPlusSerializer {
  override async dumpsTyped(obj: unknown): Promise<[string, Uint8Array]> {
    if (needsEncoding(obj, new WeakSet())) return super.dumpsTyped(encodeDates(obj, new Map()));
    return super.dumpsTyped(obj);
  }

  override async loadsTyped(type: string, data: Uint8Array | string): Promise<unknown> {
    if (type !== 'json') return super.loadsTyped(type, data);
    const text = typeof data === 'string' ? data : decoder.decode(data);
    const fast = reviveSync(JSON.parse(text));
    if (fast !== ASYNC) return fast;
    const value = await super.loadsTyped(type, text);
    return text.includes(DATE_MARK) ? decodeDates(value, new WeakSet()) : value;
  }
}
