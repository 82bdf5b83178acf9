import { InputTooLargeError, RedisPrimitiveError, errorGuard } from '@x/redis-adapter';

/**
 * Another handoff of the session holds its handoff lock. Retry after
 * {@link HandoffInProgressError.retryAfterMs}, or once the holder called
 * `releaseHandoffLock`. Code `ERR_HANDOFF_IN_PROGRESS`.
 */
export class HandoffInProgressError extends RedisPrimitiveError {
  /** Brand shared by every copy of the package (`instanceof` and `isHandoffInProgressError` rely on it). */
  static readonly brand = Symbol.for('@x/atomic-ops:HandoffInProgressError');
  /** The session whose lock is held. */
  readonly sessionId: string;
  /** Remaining lifetime of the lock in ms when it was checked (-1: the lock has no expiry). */
  readonly retryAfterMs: number;

  constructor(sessionId: string, retryAfterMs: number) {
    super('ERR_HANDOFF_IN_PROGRESS', `session ${JSON.stringify(sessionId)} has a handoff in progress (lock expires in ${retryAfterMs} ms)`);
    this.sessionId = sessionId;
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * `fromAgent` is not the session's current agent, so the handoff was refused
 * (nothing was written). Pass `checkCurrentAgent: false` to hand off anyway.
 * Code `ERR_HANDOFF_CONFLICT`.
 */
export class HandoffConflictError extends RedisPrimitiveError {
  /** Brand shared by every copy of the package (`instanceof` and `isHandoffConflictError` rely on it). */
  static readonly brand = Symbol.for('@x/atomic-ops:HandoffConflictError');
  /** The session. */
  readonly sessionId: string;
  /** The agent the caller said holds the session. */
  readonly expectedAgent: string;
  /** The agent that actually holds it. */
  readonly currentAgent: string;

  constructor(sessionId: string, expectedAgent: string, currentAgent: string) {
    super(
      'ERR_HANDOFF_CONFLICT',
      `session ${JSON.stringify(sessionId)} is held by agent ${JSON.stringify(currentAgent)}, not ${JSON.stringify(expectedAgent)}`,
    );
    this.sessionId = sessionId;
    this.expectedAgent = expectedAgent;
    this.currentAgent = currentAgent;
  }
}

/**
 * The operation id was already used on this session for another kind of
 * operation (e.g. an `appendMessage` id reused for `recordResponse`), or for
 * an append or replace with other messages, or a recordResponse with other content;
 * nothing was written. Make a new id
 * per logical operation, and reuse it only for retries of that operation.
 * Code `ERR_OPERATION_ID_CONFLICT`.
 */
export class OperationIdConflictError extends RedisPrimitiveError {
  /** Brand shared by every copy of the package (`instanceof` and `isOperationIdConflictError` rely on it). */
  static readonly brand = Symbol.for('@x/atomic-ops:OperationIdConflictError');
  /** The operation id. */
  readonly operationId: string;
  /** The kind of operation that used it first: `append`, `record`, `replace`, `pop`, or `append (with other messages)` / `replace (with other messages)` / `record (with other content)`. */
  readonly recordedAs: string;

  constructor(operationId: string, recordedAs: string, attempted: string) {
    super(
      'ERR_OPERATION_ID_CONFLICT',
      `operation id ${JSON.stringify(operationId)} was used by a ${recordedAs} operation, not ${attempted}`,
    );
    this.operationId = operationId;
    this.recordedAs = recordedAs;
  }
}

/**
 * A message (or a response, or a handoff context) is larger than the
 * configured `maxMessageBytes` once JSON-encoded. Nothing was sent. Code
 * `ERR_TOO_LARGE`; it is an `InputTooLargeError` and an
 * `InvalidArgumentError`, so callers that handle bad input in general catch
 * it too (`isInvalidArgumentError`).
 */
export class MessageTooLargeError extends InputTooLargeError {
  /** Brand shared by every copy of the package. */
  static readonly brand = Symbol.for('@x/atomic-ops:MessageTooLargeError');

  constructor(argument: string, actualBytes: number, limitBytes: number) {
    super(`${argument} is ${actualBytes} bytes as JSON, over the limit of ${limitBytes} bytes (maxMessageBytes)`, {
      argument,
      actualBytes,
      limitBytes,
    });
  }
}

/** A script replied with something this version does not understand (a mismatched script or server). */
export class UnexpectedReplyError extends RedisPrimitiveError {
  /** Brand shared by every copy of the package (`instanceof` and `isUnexpectedReplyError` rely on it). */
  static readonly brand = Symbol.for('@x/atomic-ops:UnexpectedReplyError');
  /** The reply as received. */
  readonly reply: unknown;

  constructor(script: string, reply: unknown) {
    super('ERR_UNEXPECTED_REPLY', `unexpected reply from ${script}: ${safeDescribe(reply)}`);
    this.reply = reply;
  }
}

function safeDescribe(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 200) ?? String(value);
  } catch {
    return String(value);
  }
}

/** True for {@link HandoffInProgressError}, from any copy of the package. */
export const isHandoffInProgressError = errorGuard(HandoffInProgressError);
/** True for {@link HandoffConflictError}, from any copy of the package. */
export const isHandoffConflictError = errorGuard(HandoffConflictError);
/** True for {@link OperationIdConflictError}, from any copy of the package. */
export const isOperationIdConflictError = errorGuard(OperationIdConflictError);
/** True for {@link MessageTooLargeError}, from any copy of the package. */
export const isMessageTooLargeError = errorGuard(MessageTooLargeError);
/** True for {@link UnexpectedReplyError}, from any copy of the package. */
export const isUnexpectedReplyError = errorGuard(UnexpectedReplyError);
