import { ProtocolError } from '../errors.js';

/**
 * Reassembles length-prefixed frames (4-byte big-endian length, then payload)
 * from socket chunks. A frame that fits in one chunk is passed on without a copy;
 * a larger one is copied once into a buffer of its exact size.
 */
export class FrameReader {
  #header = Buffer.alloc(4);
  #headerFill = 0;
  #frame: Buffer | null = null;
  #frameFill = 0;

  constructor(
    /** Frames longer than this are a protocol error. Can be raised after a handshake. */
    public maxFrameBytes: number,
    private readonly onFrame: (payload: Buffer) => void,
  ) {}

  /** Feeds a chunk; calls `onFrame` for each completed frame. Throws {@link ProtocolError} on an oversized frame. */
  push(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) {
      if (this.#frame === null) {
        const n = Math.min(4 - this.#headerFill, chunk.length - off);
        chunk.copy(this.#header, this.#headerFill, off, off + n);
        this.#headerFill += n;
        off += n;
        if (this.#headerFill < 4) return;
        this.#headerFill = 0;
        const length = this.#header.readUInt32BE(0);
        if (length > this.maxFrameBytes) {
          throw new ProtocolError(`frame of ${length} bytes exceeds the limit of ${this.maxFrameBytes}`);
        }
        if (chunk.length - off >= length) {
          this.onFrame(chunk.subarray(off, off + length));
          off += length;
          continue;
        }
        this.#frame = Buffer.allocUnsafe(length);
        this.#frameFill = 0;
      }
      const n = Math.min(this.#frame.length - this.#frameFill, chunk.length - off);
      chunk.copy(this.#frame, this.#frameFill, off, off + n);
      this.#frameFill += n;
      off += n;
      if (this.#frameFill === this.#frame.length) {
        const frame = this.#frame;
        this.#frame = null;
        this.onFrame(frame);
      }
    }
  }
}
