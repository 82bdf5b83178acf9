import { RedisPrimitiveError } from '@x/redis-adapter';

/** A call was made on a backend after its `close()`. Code `ERR_BACKEND_CLOSED`. */
export class BackendClosedError extends RedisPrimitiveError {
  constructor(message = 'the shared backend is closed', options?: { cause?: unknown }) {
    super('ERR_BACKEND_CLOSED', message, options);
  }
}

/**
 * The Redis keyspace of a prefix was laid out by a backend with other settings
 * (a different `indexBuckets`), so thread keys would not match. Use the same
 * settings for every backend of a prefix, or a new prefix. Code `ERR_CONFIG_MISMATCH`.
 */
export class ConfigMismatchError extends RedisPrimitiveError {
  /** The layout stored in Redis. */
  readonly stored: string;
  /** The layout this backend would use. */
  readonly expected: string;

  constructor(stored: string, expected: string) {
    super(
      'ERR_CONFIG_MISMATCH',
      `the prefix was created with layout "${stored}" but this backend uses "${expected}"; ` +
        'every backend of one prefix needs the same indexBuckets',
    );
    this.stored = stored;
    this.expected = expected;
  }
}

/** A process-shared host refused the access token. Code `ERR_AUTH`. */
export class AuthenticationError extends RedisPrimitiveError {
  constructor(message = 'the shared backend host refused the access token', options?: { cause?: unknown }) {
    super('ERR_AUTH', message, options);
  }
}

/** A process-shared peer sent something that is not the protocol (bad frame, oversized frame, version mismatch). Code `ERR_PROTOCOL`. */
export class ProtocolError extends RedisPrimitiveError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_PROTOCOL', message, options);
  }
}

/**
 * The backend behind a process-shared host failed with an error this process
 * has no class for. Code `ERR_REMOTE`; the original is in `remoteCode` and `remoteName`.
 */
export class RemoteBackendError extends RedisPrimitiveError {
  /** The `code` of the error on the host. */
  readonly remoteCode: string;
  /** The `name` of the error on the host. */
  readonly remoteName: string;

  constructor(remoteName: string, remoteCode: string, message: string) {
    super('ERR_REMOTE', `${remoteName} on the shared backend host: ${message}`);
    this.remoteCode = remoteCode;
    this.remoteName = remoteName;
  }
}
