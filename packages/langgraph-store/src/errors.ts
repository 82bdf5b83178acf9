import { RedisPrimitiveError, errorGuard } from '@x/redis-adapter';

export {
  ClosedError,
  CommandError,
  ConnectionClosedError,
  ConnectionError,
  CrossSlotError,
  DurabilityError,
  InputTooLargeError,
  InvalidArgumentError,
  NotSerializableError,
  RedisPrimitiveError,
  ScriptError,
  UnknownOptionError,
  isClosedError,
  isConnectionClosedError,
  isConnectionError,
  isDurabilityError,
  isRetryable,
  isInputTooLargeError,
  isInvalidArgumentError,
  isNotSerializableError,
  isUnknownOptionError,
} from '@x/redis-adapter';

/**
 * A filtered `search` examined `searchScanLimit` items of one shard without
 * reaching `offset + limit` matches. Nothing was returned; narrow the
 * namespace prefix, lower the offset, or raise `searchScanLimit`.
 * Code `ERR_STORE_SCAN_LIMIT`.
 */
export class SearchScanLimitError extends RedisPrimitiveError {
  /** Brand shared by every copy of the package (`instanceof` and the guard rely on it). */
  static readonly brand = Symbol.for('@x/langgraph-store:SearchScanLimitError');
  /** The limit that was reached (items examined in one shard). */
  readonly scanLimit: number;

  constructor(scanLimit: number) {
    super(
      'ERR_STORE_SCAN_LIMIT',
      `search examined ${scanLimit} items of one shard (searchScanLimit) before finding offset + limit matches; ` +
        'narrow the namespace prefix or the offset, or raise searchScanLimit',
    );
    this.scanLimit = scanLimit;
  }
}

/** True for a {@link SearchScanLimitError} from any copy of this package. */
export const isSearchScanLimitError = errorGuard(SearchScanLimitError);

/**
 * The `index.embeddings` object of the store returned something other than
 * one vector of `index.dims` finite numbers per text. Nothing was written.
 * Code `ERR_STORE_EMBEDDING`.
 */
export class EmbeddingError extends RedisPrimitiveError {
  /** Brand shared by every copy of the package. */
  static readonly brand = Symbol.for('@x/langgraph-store:EmbeddingError');

  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_STORE_EMBEDDING', `embeddings: ${message}`, options);
  }
}

/** True for an {@link EmbeddingError} from any copy of this package. */
export const isEmbeddingError = errorGuard(EmbeddingError);

/**
 * Data read from Redis is not in the layout this package writes (a foreign key
 * under the prefix). Code `ERR_STORE_CORRUPT`.
 */
export class CorruptStoreError extends RedisPrimitiveError {
  /** Brand shared by every copy of the package. */
  static readonly brand = Symbol.for('@x/langgraph-store:CorruptStoreError');

  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_STORE_CORRUPT', `store data is corrupt: ${message}`, options);
  }
}

/** True for a {@link CorruptStoreError} from any copy of this package. */
export const isCorruptStoreError = errorGuard(CorruptStoreError);
