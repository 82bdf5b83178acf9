import { encodeKeyPart, Keyspace } from '@x/redis-adapter';

/** Default number of thread index buckets of a {@link RedisBackend}. */
export const DEFAULT_INDEX_BUCKETS = 64;
/** Most index buckets a prefix may have. */
export const MAX_INDEX_BUCKETS = 4096;

/** FNV-1a (32 bit) of the UTF-8 bytes of a string: the stable hash that assigns a thread to its bucket. */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * Every Redis key of one {@link RedisBackend} prefix (tenant). Built on
 * `Keyspace`, so prefixes and ids are percent-encoded and can never break out
 * of their prefix or hash tag.
 *
 * ```text
 * <p>:{<p>:bucket-<b>}:threads              ZSET threadId -> expiry ms (or inf): index bucket b
 * <p>:{<p>:bucket-<b>}:thread:<enc id>      LIST of the thread's slots, for every thread in bucket b
 * <p>:{<p>:bucket-<b>}:ops:<enc id>         HASH operationId -> "<sha1>:<index>" (appends with an operation id)
 * <p>:{<p>:bucket-<b>}:opslog:<enc id>      LIST of the thread's remembered operation ids, oldest first
 * <p>:{<p>}:registry:by-chain               HASH chain -> "<expiry>|<uuid>"
 * <p>:{<p>}:registry:by-uuid                HASH uuid -> "<expiry>|<chain>"
 * <p>:{<p>}:registry:expiry                 ZSET uuid -> expiry ms (or inf)
 * <p>:{<p>}:meta                            STRING, the layout (bucket count) of the prefix
 * ```
 *
 * A thread's list and its bucket's index share the bucket's hash tag (one slot),
 * so an append, its TTL and its index entry are one atomic script; the buckets
 * spread threads over `indexBuckets` slots. The registry and meta share the
 * tenant's tag, so a registry write is one atomic script over both directions.
 */
export class SharedBackendKeys {
  /** The underlying key builder (its `prefix` is the encoded prefix). */
  readonly keyspace: Keyspace;
  /** How many index buckets threads are spread over. */
  readonly indexBuckets: number;
  /** Registry: HASH chain -> `<expiry>|<uuid>`. */
  readonly registryByChain: string;
  /** Registry: HASH uuid -> `<expiry>|<chain>`. */
  readonly registryByUuid: string;
  /** Registry: ZSET uuid -> expiry. */
  readonly registryExpiry: string;
  /** The layout marker of the prefix. */
  readonly meta: string;
  /** The layout this key builder produces, as stored in {@link SharedBackendKeys.meta}. */
  readonly layout: string;

  constructor(prefix: string, indexBuckets: number = DEFAULT_INDEX_BUCKETS) {
    this.keyspace = new Keyspace(prefix);
    this.indexBuckets = indexBuckets;
    this.registryByChain = this.keyspace.sharedKey('registry:by-chain');
    this.registryByUuid = this.keyspace.sharedKey('registry:by-uuid');
    this.registryExpiry = this.keyspace.sharedKey('registry:expiry');
    this.meta = this.keyspace.sharedKey('meta');
    this.layout = `shared-backend/v1 buckets=${indexBuckets}`;
  }

  /** The bucket (0 .. indexBuckets-1) a thread belongs to. */
  bucketOf(threadId: string): number {
    return fnv1a32(threadId) % this.indexBuckets;
  }

  /** The index ZSET of a bucket. */
  indexKey(bucket: number): string {
    return this.keyspace.key(`bucket-${bucket}`, 'threads');
  }

  /** The LIST holding a thread's slots. */
  threadKey(threadId: string, bucket: number = this.bucketOf(threadId)): string {
    return this.keyspace.key(`bucket-${bucket}`, `thread:${encodeKeyPart(threadId)}`);
  }

  /** The HASH of a thread's remembered operation ids (same slot as the thread). */
  threadOpsKey(threadId: string, bucket: number = this.bucketOf(threadId)): string {
    return this.keyspace.key(`bucket-${bucket}`, `ops:${encodeKeyPart(threadId)}`);
  }

  /** The LIST of a thread's remembered operation ids, oldest first. */
  threadOpsLogKey(threadId: string, bucket: number = this.bucketOf(threadId)): string {
    return this.keyspace.key(`bucket-${bucket}`, `opslog:${encodeKeyPart(threadId)}`);
  }

  /** Every index key, bucket 0 first. */
  allIndexKeys(): string[] {
    return Array.from({ length: this.indexBuckets }, (_, b) => this.indexKey(b));
  }
}
