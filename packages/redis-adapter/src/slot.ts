/** CRC16/XMODEM, the checksum Redis Cluster hashes keys with. */
const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    t[i] = crc;
  }
  return t;
})();

function crc16(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ bytes[i]!) & 0xff]!;
  return crc;
}

/**
 * The slot of a string key whose hashed part is ASCII, without encoding it
 * (the common case); -1 otherwise. UTF-8 never uses the bytes of `{` and `}`
 * inside a multi-byte character, so the tag is found the same way on chars.
 */
function asciiSlot(key: string): number {
  let start = 0;
  let end = key.length;
  const open = key.indexOf('{');
  if (open !== -1) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) {
      start = open + 1;
      end = close;
    }
  }
  let crc = 0;
  for (let i = start; i < end; i++) {
    const c = key.charCodeAt(i);
    if (c > 0x7f) return -1;
    crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ c) & 0xff]!;
  }
  return crc % HASH_SLOTS;
}

/** The part of a string key Redis hashes: its hash tag when it has one, else the whole key. */
export function hashedPart(key: string): string {
  const open = key.indexOf('{');
  if (open !== -1) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) return key.slice(open + 1, close);
  }
  return key;
}

/**
 * True when a string key hashes exactly the characters `part` (see
 * {@link hashedPart}), so it is in `part`'s slot without computing it. False
 * says nothing: different tags can still share a slot.
 */
export function hasHashedPart(key: string, part: string): boolean {
  const open = key.indexOf('{');
  if (open !== -1) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) return close - open - 1 === part.length && key.startsWith(part, open + 1);
  }
  return key === part;
}

/** Number of hash slots in a Redis Cluster. */
export const HASH_SLOTS = 16384;

/**
 * The cluster hash slot of a key, honouring `{hash tags}` exactly as Redis does:
 * the first `{` and the first `}` after it, when something stands between them.
 */
export function hashSlot(key: string | Uint8Array): number {
  if (typeof key === 'string') {
    const ascii = asciiSlot(key);
    if (ascii !== -1) return ascii;
  }
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  const open = bytes.indexOf(0x7b);
  if (open !== -1) {
    const close = bytes.indexOf(0x7d, open + 1);
    if (close > open + 1) return crc16(bytes, open + 1, close) % HASH_SLOTS;
  }
  return crc16(bytes, 0, bytes.length) % HASH_SLOTS;
}
