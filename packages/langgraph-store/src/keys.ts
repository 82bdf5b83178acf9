import { Keyspace, decodeKeyPart, encodeKeyPart } from '@x/redis-adapter';

/**
 * The keys of one shard, in the order `store/batch.lua` takes them
 * (KEYS[1..8]). A shard is the hash tag of the first `shardDepth` labels of a
 * namespace: every namespace below those labels lives in the same keys.
 */
export const SHARD_KEY_NAMES = [
  'items', //      hash  ns\0key -> value (JSON)
  'meta', //       hash  ns\0key -> created|updated|seq|expiresAt|ttlMs
  'vectors', //    hash  ns\0key -> embeddings (base64 float32)
  'order', //      zset  ns\0seq\0key (lex): namespace, then creation order
  'namespaces', // zset  ns (lex): namespaces holding live items
  'counts', //     hash  ns -> live items
  'expiry', //     zset  ns\0key scored by expiry time (ms)
  'seq', //        string creation counter
] as const;

/** Name of the shared sorted set of shard ids (one per prefix). */
export const SHARD_REGISTRY = 'shards';

/**
 * A namespace as it appears inside keys and script arguments: every label
 * percent-encoded (only `A-Z a-z 0-9 _ . -` kept; labels never hold `.`), joined
 * by `.`. Injective, and a namespace prefix encodes to a string prefix followed by `.`.
 */
export function encodeNamespace(namespace: readonly string[]): string {
  return namespace.map(encodeKeyPart).join('.');
}

/** The labels of an encoded namespace. */
export function decodeNamespace(encoded: string): string[] {
  return encoded.split('.').map(decodeKeyPart);
}

/** Key builders of one store prefix. */
export class StoreKeys {
  readonly keyspace: Keyspace;
  readonly shardDepth: number;
  readonly #cache = new Map<string, string[]>();

  constructor(prefix: string, shardDepth: number, maxIdBytes: number) {
    this.keyspace = new Keyspace(prefix, { maxIdBytes: Math.max(maxIdBytes * shardDepth * 4, maxIdBytes) });
    this.shardDepth = shardDepth;
  }

  /** The shard id (encoded leading labels) of a namespace. */
  shardOf(namespace: readonly string[]): string {
    return encodeNamespace(namespace.slice(0, this.shardDepth));
  }

  /** The 8 keys of a shard, in script order. */
  shard(shardId: string): string[] {
    let keys = this.#cache.get(shardId);
    if (keys === undefined) {
      keys = SHARD_KEY_NAMES.map((name) => this.keyspace.key(shardId, name));
      if (this.#cache.size > 1000) this.#cache.clear();
      this.#cache.set(shardId, keys);
    }
    return keys;
  }

  /** The registry of shard ids (shared by the prefix). */
  get registry(): string {
    return this.keyspace.sharedKey(SHARD_REGISTRY);
  }
}
