import { ClosedError, errorGuard, RedisPrimitiveError } from '@x/redis-adapter';

/**
 * A call was made on a backend (or a `ContextBuffer` / `ThreadRegistry`) after
 * its `close()`. Code `ERR_BACKEND_CLOSED`; `object` names what was closed. A
 * `ClosedError`, so `isClosedError` matches it too.
 */
export class BackendClosedError extends ClosedError {
  /** Brand shared by every copy of the package. */
  static readonly brand = Symbol.for('@x/shared-backend:BackendClosedError');

  constructor(message?: string, options?: { cause?: unknown; object?: string }) {
    const object = options?.object ?? 'the shared backend';
    super(object, {
      code: 'ERR_BACKEND_CLOSED',
      message: message ?? `${object} is closed (its close() was called): create a new one`,
      ...(options?.cause === undefined ? {} : { cause: options.cause }),
    });
  }
}

/**
 * The Redis keyspace of a prefix was laid out by a backend with other settings
 * (a different `indexBuckets`), so thread keys would not match. Use the same
 * settings for every backend of a prefix, or a new prefix. Code `ERR_CONFIG_MISMATCH`.
 */
export class ConfigMismatchError extends RedisPrimitiveError {
  /** Brand shared by every copy of the package. */
  static readonly brand = Symbol.for('@x/shared-backend:ConfigMismatchError');
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
  /** Brand shared by every copy of the package. */
  static readonly brand = Symbol.for('@x/shared-backend:AuthenticationError');
  constructor(message = 'the shared backend host refused the access token', options?: { cause?: unknown }) {
    super('ERR_AUTH', message, options);
  }
}

/** A process-shared peer sent something that is not the protocol (bad frame, oversized frame, version mismatch). Code `ERR_PROTOCOL`. */
export class ProtocolError extends RedisPrimitiveError {
  /** Brand shared by every copy of the package. */
  static readonly brand = Symbol.for('@x/shared-backend:ProtocolError');
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_PROTOCOL', message, options);
  }
}

/**
 * The backend behind a process-shared host failed with an error this process
 * has no class for. Code `ERR_REMOTE`; the original is in `remoteCode` and `remoteName`.
 */
export class RemoteBackendError extends RedisPrimitiveError {
  /** Brand shared by every copy of the package. */
  static readonly brand = Symbol.for('@x/shared-backend:RemoteBackendError');
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

/**
 * An append reused an operation id of this thread with a different value:
 * nothing was written. (A retry with the same id and the same value is not an
 * error: it returns the index of the first append.) Code `ERR_OPERATION_ID_CONFLICT`.
 */
export class OperationIdConflictError extends RedisPrimitiveError {
  /** Brand shared by every copy of the package. */
  static readonly brand = Symbol.for('@x/shared-backend:OperationIdConflictError');
  /** The thread the id belongs to. */
  readonly threadId: string;
  /** The reused operation id. */
  readonly operationId: string;

  constructor(threadId: string, operationId: string) {
    super(
      'ERR_OPERATION_ID_CONFLICT',
      `operation id ${JSON.stringify(operationId)} of thread ${JSON.stringify(threadId)} was used for a different value; nothing was written`,
    );
    this.threadId = threadId;
    this.operationId = operationId;
  }
}

/** True for {@link BackendClosedError}, from any copy of the package. */
export const isBackendClosedError = errorGuard(BackendClosedError);
/** True for {@link ConfigMismatchError}, from any copy of the package. */
export const isConfigMismatchError = errorGuard(ConfigMismatchError);
/** True for {@link AuthenticationError}, from any copy of the package. */
export const isAuthenticationError = errorGuard(AuthenticationError);
/** True for {@link ProtocolError}, from any copy of the package. */
export const isProtocolError = errorGuard(ProtocolError);
/** True for {@link RemoteBackendError}, from any copy of the package. */
export const isRemoteBackendError = errorGuard(RemoteBackendError);
/** True for {@link OperationIdConflictError}, from any copy of the package. */
export const isOperationIdConflictError = errorGuard(OperationIdConflictError);
