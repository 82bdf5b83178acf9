import { ProtocolError } from '../errors.js';

/**
 * A value of the process-shared wire protocol. Bytes stay bytes (binary slots
 * are never re-encoded as text); numbers are float64.
 */
export type WireValue = null | boolean | number | string | Buffer | WireValue[];

const NULL = 0;
const TRUE = 1;
const FALSE = 2;
const NUMBER = 3;
const STRING = 4;
const BYTES = 5;
const ARRAY = 6;

function sizeOf(value: WireValue, depth: number): number {
  if (depth > 32) throw new ProtocolError('value nested too deeply');
  if (value === null || value === true || value === false) return 1;
  if (typeof value === 'number') return 9;
  if (typeof value === 'string') return 5 + Buffer.byteLength(value, 'utf8');
  if (Buffer.isBuffer(value)) return 5 + value.length;
  if (Array.isArray(value)) {
    let n = 5;
    for (const item of value) n += sizeOf(item, depth + 1);
    return n;
  }
  throw new ProtocolError(`cannot encode a ${typeof value}`);
}

function write(value: WireValue, out: Buffer, at: number): number {
  if (value === null) return out.writeUInt8(NULL, at);
  if (value === true) return out.writeUInt8(TRUE, at);
  if (value === false) return out.writeUInt8(FALSE, at);
  if (typeof value === 'number') {
    out.writeUInt8(NUMBER, at);
    return out.writeDoubleBE(value, at + 1);
  }
  if (typeof value === 'string') {
    out.writeUInt8(STRING, at);
    const n = out.write(value, at + 5, 'utf8');
    out.writeUInt32BE(n, at + 1);
    return at + 5 + n;
  }
  if (Buffer.isBuffer(value)) {
    out.writeUInt8(BYTES, at);
    out.writeUInt32BE(value.length, at + 1);
    value.copy(out, at + 5);
    return at + 5 + value.length;
  }
  out.writeUInt8(ARRAY, at);
  out.writeUInt32BE(value.length, at + 1);
  let pos = at + 5;
  for (const item of value) pos = write(item, out, pos);
  return pos;
}

/** Encodes one message as a frame: a 4-byte big-endian length, then the encoded value. */
export function encodeFrame(value: WireValue, maxFrameBytes: number): Buffer {
  const size = sizeOf(value, 0);
  if (size > maxFrameBytes) {
    throw new ProtocolError(`message of ${size} bytes exceeds maxFrameBytes (${maxFrameBytes})`);
  }
  const out = Buffer.allocUnsafe(4 + size);
  out.writeUInt32BE(size, 0);
  const end = write(value, out, 4);
  if (end !== out.length) throw new ProtocolError('encoder size mismatch');
  return out;
}

/** Decodes one frame payload. Byte values are copied out of the frame. */
export function decodeValue(frame: Buffer): WireValue {
  let pos = 0;
  const need = (n: number) => {
    if (pos + n > frame.length) throw new ProtocolError('truncated message');
  };
  const read = (depth: number): WireValue => {
    if (depth > 32) throw new ProtocolError('value nested too deeply');
    need(1);
    const tag = frame[pos++];
    switch (tag) {
      case NULL:
        return null;
      case TRUE:
        return true;
      case FALSE:
        return false;
      case NUMBER: {
        need(8);
        const v = frame.readDoubleBE(pos);
        pos += 8;
        return v;
      }
      case STRING:
      case BYTES: {
        need(4);
        const n = frame.readUInt32BE(pos);
        pos += 4;
        need(n);
        const slice = frame.subarray(pos, pos + n);
        pos += n;
        return tag === STRING ? slice.toString('utf8') : Buffer.from(slice);
      }
      case ARRAY: {
        need(4);
        const n = frame.readUInt32BE(pos);
        pos += 4;
        if (n > frame.length - pos) throw new ProtocolError('truncated message');
        const items: WireValue[] = new Array(n);
        for (let i = 0; i < n; i++) items[i] = read(depth + 1);
        return items;
      }
      default:
        throw new ProtocolError(`unknown value tag ${tag}`);
    }
  };
  const value = read(0);
  if (pos !== frame.length) throw new ProtocolError('trailing bytes after message');
  return value;
}
