import { CorruptCheckpointError } from './errors.js';
import { decodeName, unframe } from './codec.js';

/** One checkpoint as a script sent it (see `include/checkpoint-read.lua`). */
export interface RawBlock {
  ns: string;
  id: string;
  record: Buffer;
  /** (1-based channel position in the record header, 1-based blob number) pairs. */
  present: [number, number][];
  writes: Buffer[];
  parentWrites: Buffer[];
}

/** A reply of get-tuple / list. */
export interface TuplesReply {
  /** Where to continue (`(` + cursor), or empty when the range is exhausted. */
  cursor: Buffer;
  blocks: RawBlock[];
  blobs: Buffer[];
}

/** A parsed checkpoint record. */
export interface ParsedRecord {
  flags: string;
  parent: string | undefined;
  /** Channels in record order: blob field ('' for none) and the framed value kept in the record, if any. */
  channels: { name: string; field: Buffer; inline: Buffer | undefined }[];
  checkpointType: string;
  checkpoint: Buffer;
  metadataType: string;
  metadata: Buffer;
}

/** A parsed pending write. */
export interface ParsedWrite {
  taskId: string;
  channel: string;
  type: string;
  value: Buffer;
}

class Cursor {
  i = 0;
  constructor(private readonly a: unknown[]) {}
  buf(): Buffer {
    const v = this.a[this.i++];
    if (Buffer.isBuffer(v)) return v;
    if (typeof v === 'string') return Buffer.from(v, 'utf8');
    throw new CorruptCheckpointError(`unexpected reply item ${typeof v} at ${this.i - 1}`);
  }
  int(): number {
    const v = this.a[this.i++];
    const n = typeof v === 'number' ? v : Buffer.isBuffer(v) || typeof v === 'string' ? Number(String(v)) : NaN;
    if (!Number.isInteger(n)) throw new CorruptCheckpointError(`expected an integer reply item at ${this.i - 1}`);
    return n;
  }
}

function asArray(reply: unknown): unknown[] {
  if (!Array.isArray(reply)) throw new CorruptCheckpointError('a checkpoint script did not return an array');
  return reply;
}

/** Parses the reply of `checkpoint/get-tuple` and `checkpoint/list`. */
export function parseTuplesReply(reply: unknown): TuplesReply {
  const c = new Cursor(asArray(reply));
  const cursor = c.buf();
  const n = c.int();
  const blocks: RawBlock[] = [];
  for (let b = 0; b < n; b++) {
    const ns = decodeName(c.buf());
    const id = decodeName(c.buf());
    const record = c.buf();
    const np = c.int();
    const present: [number, number][] = [];
    for (let k = 0; k < np; k++) present.push([c.int(), c.int()]);
    const nw = c.int();
    const writes: Buffer[] = [];
    for (let k = 0; k < nw; k++) writes.push(c.buf());
    const npw = c.int();
    const parentWrites: Buffer[] = [];
    for (let k = 0; k < npw; k++) parentWrites.push(c.buf());
    blocks.push({ ns, id, record, present, writes, parentWrites });
  }
  const nb = c.int();
  const blobs: Buffer[] = [];
  for (let k = 0; k < nb; k++) blobs.push(c.buf());
  return { cursor, blocks, blobs };
}

/** One ancestor visited by `checkpoint/delta-history`. */
export interface RawAncestor {
  id: string;
  writes: Buffer[];
  /** (1-based position in the channels sent, blob) pairs. */
  seeds: [number, Buffer][];
}

/** Parses the reply of `checkpoint/delta-history`. */
export function parseDeltaReply(reply: unknown): { next: Buffer; ancestors: RawAncestor[] } {
  const c = new Cursor(asArray(reply));
  const next = c.buf();
  const n = c.int();
  const ancestors: RawAncestor[] = [];
  for (let a = 0; a < n; a++) {
    const id = decodeName(c.buf());
    const nw = c.int();
    const writes: Buffer[] = [];
    for (let k = 0; k < nw; k++) writes.push(c.buf());
    const ns = c.int();
    const seeds: [number, Buffer][] = [];
    for (let k = 0; k < ns; k++) seeds.push([c.int(), c.buf()]);
    ancestors.push({ id, writes, seeds });
  }
  return { next, ancestors };
}

/**
 * Reads the MessagePack array a format-3 record starts with (written by Lua's
 * cmsgpack: strings and small integers only). Returns its items and the
 * offset after it.
 */
function readHeaderArray(buf: Buffer): { items: Buffer[]; end: number } {
  let pos = 0;
  const need = (n: number) => {
    if (pos + n > buf.length) throw new CorruptCheckpointError('a checkpoint record header is truncated');
  };
  const b0 = buf[pos++]!;
  let count: number;
  if (b0 >= 0x90 && b0 <= 0x9f) count = b0 & 0x0f;
  else if (b0 === 0xdc) (need(2), (count = buf.readUInt16BE(pos)), (pos += 2));
  else if (b0 === 0xdd) (need(4), (count = buf.readUInt32BE(pos)), (pos += 4));
  else throw new CorruptCheckpointError('a checkpoint record header is not an array');
  const items: Buffer[] = new Array(count);
  for (let i = 0; i < count; i++) {
    need(1);
    const t = buf[pos++]!;
    let len: number;
    if (t >= 0xa0 && t <= 0xbf) len = t & 0x1f;
    else if (t === 0xd9 || t === 0xc4) (need(1), (len = buf[pos]!), (pos += 1));
    else if (t === 0xda || t === 0xc5) (need(2), (len = buf.readUInt16BE(pos)), (pos += 2));
    else if (t === 0xdb || t === 0xc6) (need(4), (len = buf.readUInt32BE(pos)), (pos += 4));
    else throw new CorruptCheckpointError(`unexpected MessagePack type 0x${t.toString(16)} in a record header`);
    need(len);
    items[i] = buf.subarray(pos, pos + len);
    pos += len;
  }
  return { items, end: pos };
}

/**
 * Parses a checkpoint record (the layout `checkpoint/put` writes; see
 * `include/checkpoint-frame.lua`). Format 3 (written now): a MessagePack array
 * [flags, parent, (name, version token, blob field, inline value)*], then the
 * framed body. Format 1 (written before inline values existed: framed, no `i`
 * flag) has 3 items per channel; format 2 (framed, `i` flag) has 4.
 */
export function parseRecord(record: Buffer): ParsedRecord {
  let flagText: string;
  let parent: Buffer;
  let items: Buffer[];
  let first: number;
  let n: number;
  let stride: number;
  let bodyStart: number;
  if (record.length > 0 && record[0]! >= 0x90) {
    const head = readHeaderArray(record);
    if (head.items.length < 2 || (head.items.length - 2) % 4 !== 0) throw new CorruptCheckpointError('a checkpoint record header is truncated');
    flagText = head.items[0]!.toString('latin1');
    parent = head.items[1]!;
    items = head.items;
    first = 2;
    stride = 4;
    n = (head.items.length - 2) / 4;
    bodyStart = head.end;
  } else {
    const head = unframe(record, 0, 3);
    if (head.items.length !== 3) throw new CorruptCheckpointError('a checkpoint record header is truncated');
    const count = head.items[2]!;
    n = Number(count.toString('latin1'));
    if (!Number.isInteger(n) || n < 0) throw new CorruptCheckpointError('a checkpoint record has a bad channel count');
    flagText = head.items[0]!.toString('latin1');
    parent = head.items[1]!;
    stride = flagText.includes('i') ? 4 : 3;
    const rest = unframe(record, head.end, n * stride);
    if (rest.items.length !== n * stride) throw new CorruptCheckpointError('a checkpoint record is truncated');
    items = rest.items;
    first = 0;
    bodyStart = rest.end;
  }
  const body = unframe(record, bodyStart).items;
  if (body.length !== 4) throw new CorruptCheckpointError('a checkpoint record is truncated');
  const channels: ParsedRecord['channels'] = [];
  for (let i = 0; i < n; i++) {
    const at = first + stride * i;
    const inline = stride === 4 ? items[at + 3]! : undefined;
    channels.push({
      name: items[at]!.toString('utf8'),
      field: items[at + 2]!,
      inline: inline !== undefined && inline.length > 0 ? inline : undefined,
    });
  }
  return {
    flags: flagText,
    parent: parent.length === 0 ? undefined : decodeName(parent),
    channels,
    checkpointType: body[0]!.toString('utf8'),
    checkpoint: body[1]!,
    metadataType: body[2]!.toString('utf8'),
    metadata: body[3]!,
  };
}

/** Parses a stored pending write: (sort key, taskId, channel, type, bytes). */
export function parseWrite(value: Buffer): ParsedWrite {
  const { items } = unframe(value);
  if (items.length !== 5) throw new CorruptCheckpointError('a pending write is truncated');
  return {
    taskId: items[1]!.toString('utf8'),
    channel: items[2]!.toString('utf8'),
    type: items[3]!.toString('utf8'),
    value: items[4]!,
  };
}

/** Parses a stored blob: (type, bytes). */
export function parseBlob(value: Buffer): { type: string; value: Buffer } {
  const { items } = unframe(value);
  if (items.length !== 2) throw new CorruptCheckpointError('a blob is truncated');
  return { type: items[0]!.toString('utf8'), value: items[1]! };
}
