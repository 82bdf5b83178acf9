import { NotSerializableError } from '@x/redis-adapter';

/** Nesting depth past which a value is refused (JSON.stringify would overflow the stack). */
const MAX_DEPTH = 1000;

/**
 * Refuses, before anything is written, a value that LangGraph's
 * `JsonPlusSerializer` cannot encode faithfully: a BigInt, a cycle, or nesting
 * deeper than 1000 levels. That serializer does not throw for them: it stores
 * `"[Circular]"` in place of a cycle and the whole value as the string
 * `"[unable to serialize, ...]"` when `JSON.stringify` throws (a BigInt, a
 * throwing getter or `toJSON`), so the checkpoint would read back different
 * without anyone noticing.
 *
 * The walk follows what `JSON.stringify` with that serializer sees: `toJSON()`
 * results, the entries of a `Map` or `Set`, own enumerable keys; `Uint8Array`,
 * `RegExp` and `Error` are encoded whole by the serializer and not entered.
 *
 * @throws NotSerializableError (`ERR_NOT_SERIALIZABLE`) naming the path of the first problem
 */
export function assertEncodable(value: unknown, argument: string): void {
  const ancestors = new Set<object>();
  const fail = (path: string, reason: string, cause?: unknown): never => {
    throw new NotSerializableError(`${argument}${path} ${reason}`, {
      argument,
      path,
      ...(cause === undefined ? {} : { cause }),
    });
  };
  const visit = (raw: unknown, key: string, path: string, depth: number): void => {
    let v = raw;
    if (typeof v === 'bigint') fail(path, 'is a BigInt, which the checkpoint serializer cannot encode (store it as a string)');
    if (typeof v !== 'object' || v === null) return;
    if (depth > MAX_DEPTH) fail(path, `is nested too deeply (more than ${MAX_DEPTH} levels)`);
    if (ancestors.has(v)) fail(path, 'refers back to itself (a cycle), which the checkpoint serializer cannot encode');
    const original = v;
    ancestors.add(original);
    try {
      const toJSON = (v as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') {
        try {
          v = toJSON.call(v, key);
        } catch (err) {
          fail(path, `cannot be encoded: its toJSON() threw (${(err as Error)?.message ?? String(err)})`, err);
        }
        if (typeof v === 'bigint') fail(path, 'is a BigInt (from toJSON()), which the checkpoint serializer cannot encode');
        if (typeof v !== 'object' || v === null) return;
        if (v !== original && ancestors.has(v)) fail(path, 'refers back to itself (a cycle), which the checkpoint serializer cannot encode');
      }
      if (v instanceof Uint8Array || v instanceof RegExp || v instanceof Error) return;
      if (v instanceof Map || v instanceof Set) {
        let i = 0;
        for (const entry of v) visit(entry, String(i), `${path}[${i++}]`, depth + 1);
        return;
      }
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) visit(v[i], String(i), `${path}[${i}]`, depth + 1);
        return;
      }
      for (const k of Object.keys(v)) {
        let child: unknown;
        try {
          child = (v as Record<string, unknown>)[k];
        } catch (err) {
          fail(`${path}.${k}`, `cannot be read: its getter threw (${(err as Error)?.message ?? String(err)})`, err);
        }
        visit(child, k, `${path}.${k}`, depth + 1);
      }
    } finally {
      ancestors.delete(original);
    }
  };
  visit(value, '', '', 0);
}
