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
 * Parses a checkpoint record (the layout `checkpoint/put` writes; see
 * `include/checkpoint-frame.lua`). Format 1 (no `i` flag, written before
 * inline values existed) has 3 items per channel, format 2 has 4: name,
 * version token, blob field, value kept in the record ('' for none).
 */
export function parseRecord(record: Buffer): ParsedRecord {
  const head = unframe(record, 0, 3);
  if (head.items.length !== 3) throw new CorruptCheckpointError('a checkpoint record header is truncated');
  const [flags, parent, count] = head.items as [Buffer, Buffer, Buffer];
  const n = Number(count.toString('latin1'));
  if (!Number.isInteger(n) || n < 0) throw new CorruptCheckpointError('a checkpoint record has a bad channel count');
  const flagText = flags.toString('latin1');
  const stride = flagText.includes('i') ? 4 : 3;
  const rest = unframe(record, head.end);
  if (rest.items.length !== n * stride + 4) throw new CorruptCheckpointError('a checkpoint record is truncated');
  const channels: ParsedRecord['channels'] = [];
  for (let i = 0; i < n; i++) {
    const at = stride * i;
    const inline = stride === 4 ? rest.items[at + 3]! : undefined;
    channels.push({
      name: rest.items[at]!.toString('utf8'),
      field: rest.items[at + 2]!,
      inline: inline !== undefined && inline.length > 0 ? inline : undefined,
    });
  }
  const body = rest.items.slice(stride * n);
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
