import { InvalidArgumentError } from './errors.js';
import { checkId, MAX_ID_BYTES_LIMIT } from './validate/ids.js';

/** Ids made only of these characters are their own encoding (the common case: no work at all). */
const ID_PLAIN = /^[A-Za-z0-9_.-]*$/;
const PREFIX_PLAIN = /^[A-Za-z0-9_.:-]*$/;
/** What `encodeURIComponent` leaves as it is beyond `A-Z a-z 0-9 _ . -`: encoded here too. */
const URI_EXTRA = /[!~*'()]/g;
const hexOf = (ch: string) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`;

/**
 * Percent-encodes every UTF-8 byte of `value` outside `A-Z a-z 0-9 _ . -` (and
 * `:` when `keepColon`), as `%XX` with upper-case hex. `value` is well-formed
 * (checked by the callers), so `encodeURIComponent` cannot throw; it encodes
 * the same bytes the same way except `! ~ * ' ( )` (and `:`, restored for
 * prefixes: an input `%` is always `%25` in its output, so `%3A` there is
 * always an encoded `:`).
 */
function percentEncode(value: string, keepColon: boolean): string {
  if ((keepColon ? PREFIX_PLAIN : ID_PLAIN).test(value)) return value;
  const encoded = encodeURIComponent(value).replace(URI_EXTRA, hexOf);
  return keepColon ? encoded.replaceAll('%3A', ':') : encoded;
}

/**
 * Encodes a user-supplied id (thread, session, chain, lock name) as one key
 * segment. The result contains only `A-Z a-z 0-9 _ . - %`, so it can hold no
 * `:` separator, no `{`/`}` that would move the hash tag, and no glob
 * character; and the encoding is injective, so `a` and `a:b` can never collide.
 * Lone surrogates are rejected: they have no UTF-8 form and would collide.
 */
export function encodeKeyPart(id: string): string {
  if (typeof id !== 'string') {
    throw new InvalidArgumentError(`an id must be a string, got ${typeof id}`, { argument: 'id' });
  }
  if (!id.isWellFormed()) {
    throw new InvalidArgumentError('an id must be well-formed unicode (no lone surrogates)', { argument: 'id' });
  }
  return percentEncode(id, false);
}

/** Reverses {@link encodeKeyPart}. */
export function decodeKeyPart(part: string): string {
  return decodeURIComponent(part);
}

/** Escapes the glob characters of `MATCH` patterns (`* ? [ ] \`) so the text matches only itself. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/**
 * Checks an id before anything is sent: a non-empty, well-formed string.
 * Returns it unchanged so calls can be chained.
 */
export function assertId(value: unknown, argument: string): string {
  if (typeof value !== 'string') {
    throw new InvalidArgumentError(`${argument} must be a string, got ${value === null ? 'null' : typeof value}`, {
      argument,
    });
  }
  if (value.length === 0) throw new InvalidArgumentError(`${argument} must not be empty`, { argument });
  if (!value.isWellFormed()) {
    throw new InvalidArgumentError(`${argument} must be well-formed unicode (no lone surrogates)`, { argument });
  }
  return value;
}

/**
 * Builds every key of one package under one prefix.
 *
 * Layout: `<prefix>:{<prefix>:<encoded id>}:<name>` for keys that belong to one
 * id (all of them share the hash tag, so one id is one cluster slot), and
 * `<prefix>:{<prefix>}:<name>` for keys shared by the whole prefix (tenant).
 * The prefix may contain `:` but every other character outside
 * `A-Z a-z 0-9 _ . -` is percent-encoded, so a prefix cannot break the hash
 * tag or inject glob characters, and `MATCH <prefix>:{*` covers exactly this
 * prefix: tenant `a` never sees tenant `a:b` (whose keys begin `a:b:{`).
 */
export class Keyspace {
  /** The prefix as it appears in keys (encoded). */
  readonly prefix: string;
  /** Largest id (and prefix) in UTF-8 bytes; longer ones throw `InputTooLargeError`. */
  readonly maxIdBytes: number;

  /**
   * @param prefix - the tenant prefix (any non-empty string)
   * @param options - `maxIdBytes`: the id byte limit (default 65 536, the most
   *   any package may configure; packages pass their own, 1024 by default)
   */
  constructor(prefix: string, options: { maxIdBytes?: number } = {}) {
    this.maxIdBytes = options.maxIdBytes ?? MAX_ID_BYTES_LIMIT;
    checkId(prefix, 'prefix', this.maxIdBytes);
    this.prefix = percentEncode(prefix, true);
  }

  /** The last id given to {@link Keyspace.tag} and its tag: the keys of one id are usually built together. */
  #lastId: string | undefined;
  #lastTag = '';

  /** The hash tag (with braces) shared by every key of `id`. */
  tag(id: string): string {
    if (id === this.#lastId) return this.#lastTag;
    const tag = `{${this.prefix}:${encodeKeyPart(checkId(id, 'id', this.maxIdBytes))}}`;
    this.#lastId = id;
    this.#lastTag = tag;
    return tag;
  }

  /** A key that belongs to `id`, e.g. `key('thread-1', 'messages')`. */
  key(id: string, name: string): string {
    return `${this.prefix}:${this.tag(id)}:${name}`;
  }

  /** The hash tag (with braces) of keys shared by the whole prefix. */
  get sharedTag(): string {
    return `{${this.prefix}}`;
  }

  /** A key shared by the whole prefix (an index, a registry). */
  sharedKey(name: string): string {
    return `${this.prefix}:${this.sharedTag}:${name}`;
  }

  /** A `SCAN MATCH` pattern for every key under this prefix, and nothing else. */
  scanPattern(): string {
    return `${escapeGlob(this.prefix)}:{*`;
  }

  /**
   * Recovers the id from a key built by {@link Keyspace.key}, or returns
   * `undefined` for a key that is not an id key of this prefix.
   */
  idOf(key: string): string | undefined {
    const head = `${this.prefix}:{${this.prefix}:`;
    if (!key.startsWith(head)) return undefined;
    const close = key.indexOf('}', head.length);
    if (close === -1) return undefined;
    return decodeKeyPart(key.slice(head.length, close));
  }
}
