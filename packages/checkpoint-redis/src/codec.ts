import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '@x/redis-adapter';
import { CorruptCheckpointError } from './errors.js';

/**
 * Byte encodings shared with the Lua scripts (`lua-scripts/src/include/checkpoint-*.lua`).
 *
 * Names (namespaces, checkpoint ids, channels, task ids and paths) are stored
 * inside the thread's keys as UTF-8 with the bytes 0x00 and 0x01 escaped
 * (0x00 -> 0x01 0x01, 0x01 -> 0x01 0x02), so a raw 0x00 can separate them and
 * a raw 0x01 bounds a range. The escape keeps byte order, so lexicographic
 * order of encoded names is code-point order of the names (the order
 * `compareWritesSortKeys` and uuid6 ids need).
 */
const NUL = 0x00;
const ESC = 0x01;
/** The separator between encoded names. */
export const SEP = Buffer.from([NUL]);
/** The byte just above {@link SEP}: the exclusive end of a `name\0...` range. */
export const SEP_END = Buffer.from([ESC]);

/** Encodes a name (see the module comment). Rejects non-strings and lone surrogates. */
export function encodeName(value: string, what: string): Buffer {
  if (typeof value !== 'string') {
    throw new InvalidArgumentError(`${what} must be a string, got ${value === null ? 'null' : typeof value}`, {
      argument: what,
    });
  }
  if (!value.isWellFormed()) {
    throw new InvalidArgumentError(`${what} must be well-formed unicode (no lone surrogates)`, { argument: what });
  }
  const raw = Buffer.from(value, 'utf8');
  if (raw.indexOf(NUL) === -1 && raw.indexOf(ESC) === -1) return raw;
  const out: number[] = [];
  for (const b of raw) {
    if (b === NUL) out.push(ESC, 0x01);
    else if (b === ESC) out.push(ESC, 0x02);
    else out.push(b);
  }
  return Buffer.from(out);
}

/** Reverses {@link encodeName}. */
export function decodeName(bytes: Buffer): string {
  if (bytes.indexOf(ESC) === -1) return bytes.toString('utf8');
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === ESC) {
      const next = bytes[++i];
      if (next === 0x01) out.push(NUL);
      else if (next === 0x02) out.push(ESC);
      else throw new CorruptCheckpointError('bad escape in an encoded name');
    } else {
      out.push(b);
    }
  }
  return Buffer.from(out).toString('utf8');
}

/** Concatenates byte strings. */
export function cat(...parts: (Buffer | string)[]): Buffer {
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
}

/** Frames items as `<length>:<bytes>` runs (binary-safe; `cp_unframe` in Lua reads them). */
export function frame(items: readonly (Buffer | Uint8Array | string)[]): Buffer {
  const parts: Buffer[] = [];
  for (const item of items) {
    const bytes =
      typeof item === 'string'
        ? Buffer.from(item, 'utf8')
        : Buffer.isBuffer(item)
          ? item
          : Buffer.from(item.buffer, item.byteOffset, item.byteLength);
    parts.push(Buffer.from(`${bytes.length}:`, 'latin1'), bytes);
  }
  return Buffer.concat(parts);
}

/** Reads framed items; `max` stops early. Returns the items and the offset after them. */
export function unframe(bytes: Buffer, start = 0, max = Infinity): { items: Buffer[]; end: number } {
  const items: Buffer[] = [];
  let pos = start;
  const end = bytes.length;
  while (pos < end && items.length < max) {
    let size = 0;
    let i = pos;
    for (; i < end; i++) {
      const c = bytes[i]!;
      if (c === 0x3a) break;
      if (c < 0x30 || c > 0x39 || i - pos > 15) throw new CorruptCheckpointError('a framed value has a bad length');
      size = size * 10 + (c - 0x30);
    }
    if (i === pos || i >= end || i + 1 + size > end) throw new CorruptCheckpointError('a framed value is truncated');
    items.push(bytes.subarray(i + 1, i + 1 + size));
    pos = i + 1 + size;
  }
  return { items, end: pos };
}

/**
 * Order-preserving text of a write index: WRITES_IDX_MAP gives special
 * channels small negative indexes, regular writes count from 0.
 */
export function encodeIdx(idx: number): string {
  if (!Number.isSafeInteger(idx) || idx < -0x80000000 || idx > 0x7fffffff) {
    throw new InvalidArgumentError(`write index out of range: ${idx}`, { argument: 'idx' });
  }
  return (idx + 0x80000000).toString(16).padStart(8, '0');
}

/** A channel version as text: its type (`n` number, `s` string) then its value. */
export function versionToken(version: number | string): string {
  if (typeof version === 'number') {
    if (!Number.isFinite(version)) {
      throw new InvalidArgumentError(`a channel version must be finite, got ${version}`, { argument: 'newVersions' });
    }
    return `n${version}`;
  }
  if (typeof version === 'string') return `s${version}`;
  throw new InvalidArgumentError(`a channel version must be a number or a string, got ${typeof version}`, {
    argument: 'newVersions',
  });
}

/**
 * Canonical JSON of a metadata value, or `undefined` when the value is not
 * plain JSON data (then it can never equal a filter value, as with `===` in
 * MemorySaver). Object keys are sorted; `undefined` object members are dropped.
 */
export function canonicalJson(value: unknown): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : undefined;
    case 'object': {
      if (Array.isArray(value)) {
        const parts: string[] = [];
        for (const item of value) {
          const c = canonicalJson(item);
          if (c === undefined) return undefined;
          parts.push(c);
        }
        return `[${parts.join(',')}]`;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return undefined;
      const parts: string[] = [];
      for (const key of Object.keys(value).sort()) {
        const member = (value as Record<string, unknown>)[key];
        if (member === undefined) continue;
        const c = canonicalJson(member);
        if (c === undefined) return undefined;
        parts.push(`${JSON.stringify(key)}:${c}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      return undefined;
  }
}

/**
 * The filter token of a metadata value: its canonical JSON, or a SHA-1 of it
 * when long (tokens are only compared for equality). `undefined` when the
 * value cannot be matched.
 */
export function metadataToken(value: unknown): string | undefined {
  const json = canonicalJson(value);
  if (json === undefined) return undefined;
  if (json.length <= 64) return `j${json}`;
  return `h${createHash('sha1').update(json).digest('hex')}`;
}
