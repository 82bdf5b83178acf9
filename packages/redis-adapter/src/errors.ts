import { isRetryableReply } from './retryable.js';
import { hasBrand, stampBrands } from './validate/brand.js';

/**
 * Base class of every error the `@x` Redis primitives throw on purpose.
 * `code` is stable across versions: match on it, not on the message.
 *
 * `instanceof` works across duplicated copies of a package (each instance
 * carries a `Symbol.for` brand of its class and its ancestors, checked by
 * `Symbol.hasInstance`); the `is...Error` guards do the same as functions.
 * A subclass may declare `static readonly brand = Symbol.for('@x/<pkg>:<Name>')`;
 * without one its brand is derived from its class name.
 */
export class RedisPrimitiveError extends Error {
  /** Stable machine-readable code, e.g. `ERR_INVALID_ARGUMENT`. */
  readonly code: string;
  /**
   * True when the same call may succeed if retried (a temporary server or
   * connection state); see `isRetryable`. A retried write is safe only when it
   * is idempotent or carries an operation id.
   */
  readonly retryable: boolean = false;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
    stampBrands(this, new.target);
  }

  /** `x instanceof SomeError` by brand, so it holds across copies of the package. */
  static [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, this);
  }
}

/**
 * Input was rejected before anything was sent to Redis. Code
 * `ERR_INVALID_ARGUMENT`; its subclasses ({@link UnknownOptionError},
 * {@link InputTooLargeError}, {@link NotSerializableError}) have codes of their
 * own and are all matched by `isInvalidArgumentError`.
 */
export class InvalidArgumentError extends RedisPrimitiveError {
  /** The name of the offending argument or option, when there is one. */
  readonly argument: string | undefined;

  constructor(message: string, options?: { argument?: string; cause?: unknown; code?: string }) {
    super(options?.code ?? 'ERR_INVALID_ARGUMENT', message, options);
    this.argument = options?.argument;
  }
}

/**
 * An options object has a key that is not an option (a typo, an option of
 * another call, or a name from before a rename). Code `ERR_UNKNOWN_OPTION`.
 */
export class UnknownOptionError extends InvalidArgumentError {
  /** The unknown key as given. */
  readonly option: string;
  /** Every option the call accepts. */
  readonly accepted: readonly string[];
  /** The accepted name closest to the unknown one (or the new name of a renamed option), if any. */
  readonly suggestion: string | undefined;

  constructor(message: string, details: { where: string; option: string; accepted: readonly string[]; suggestion?: string }) {
    super(message, { argument: `${details.where}.${details.option}`, code: 'ERR_UNKNOWN_OPTION' });
    this.option = details.option;
    this.accepted = details.accepted;
    this.suggestion = details.suggestion;
  }
}

/**
 * An id, name, key or payload is over its byte limit; nothing was sent.
 * Code `ERR_TOO_LARGE`. Raise the limit option named in the message if the
 * size is intended.
 */
export class InputTooLargeError extends InvalidArgumentError {
  /** The limit in bytes. */
  readonly limitBytes: number;
  /** The size in bytes (UTF-8 for text); a lower bound when counting stopped early. */
  readonly actualBytes: number;

  constructor(message: string, details: { argument: string; limitBytes: number; actualBytes: number; code?: string }) {
    super(message, { argument: details.argument, code: details.code ?? 'ERR_TOO_LARGE' });
    this.limitBytes = details.limitBytes;
    this.actualBytes = details.actualBytes;
  }
}

/**
 * A value cannot be stored so that it reads back as written (a BigInt, a
 * cycle, a function, `undefined`, a class instance, a serialiser failure);
 * nothing was stored, never a placeholder. Code `ERR_NOT_SERIALIZABLE`.
 */
export class NotSerializableError extends InvalidArgumentError {
  /** Where in the value the problem is, e.g. `.content[2]` (empty for the value itself). */
  readonly path: string;

  constructor(message: string, details: { argument: string; path?: string; cause?: unknown }) {
    super(message, { argument: details.argument, cause: details.cause, code: 'ERR_NOT_SERIALIZABLE' });
    this.path = details.path ?? '';
  }
}

/**
 * A method was called on an object after its `close()`. Code `ERR_CLOSED`
 * (subclasses keep codes of their own). Not a connection problem: retrying
 * will not help; create a new object.
 */
export class ClosedError extends RedisPrimitiveError {
  /** What was closed, e.g. `AtomicOperations`. */
  readonly object: string;

  constructor(object: string, options?: { cause?: unknown; code?: string; message?: string }) {
    super(options?.code ?? 'ERR_CLOSED', options?.message ?? `${object} is closed: create a new one`, options);
    this.object = object;
  }
}

/** Redis could not be reached, or the connection broke while a command was in flight. */
export class ConnectionError extends RedisPrimitiveError {
  /** Retryable: the server may answer on a new connection. The call may have been applied. */
  override readonly retryable: boolean = true;

  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'ERR_CONNECTION', message, options);
  }
}

/** The client was closed (by its owner, or by `adapter.close()`); nothing more can be sent on it. */
export class ConnectionClosedError extends ConnectionError {
  /** Not retryable: the client is gone for good. */
  override readonly retryable: boolean = false;

  constructor(message = 'the Redis connection is closed', options?: { cause?: unknown }) {
    super(message, { ...options, code: 'ERR_CONNECTION_CLOSED' });
  }
}

/** The keys of one call map to more than one hash slot; nothing was sent. */
export class CrossSlotError extends RedisPrimitiveError {
  /** The keys of the call, in order. */
  readonly keys: readonly string[];
  /** The hash slot of each key, in the same order. */
  readonly slots: readonly number[];

  constructor(keys: readonly string[], slots: readonly number[], context: string) {
    const listed = keys.map((k, i) => `${JSON.stringify(k)} (slot ${slots[i]})`).join(', ');
    super(
      'ERR_CROSS_SLOT',
      `${context}: keys span ${new Set(slots).size} hash slots: ${listed}. ` +
        'Give every key of one call the same {hash tag}.',
    );
    this.keys = keys;
    this.slots = slots;
  }
}

/**
 * A Lua script raised an error (or Redis refused to run it). Not always a bug:
 * during a restart or a failover Redis refuses scripts with `LOADING`,
 * `CLUSTERDOWN`, ...; `retryable` tells these apart.
 */
export class ScriptError extends RedisPrimitiveError {
  /** The descriptor name of the script, e.g. `lock/acquire`. */
  readonly script: string;
  /** The error text Redis returned. */
  readonly redisMessage: string;

  /** Retryable when the reply names a temporary server state (`LOADING`, `CLUSTERDOWN`, `BUSY`, ...). */
  override readonly retryable: boolean;

  constructor(script: string, redisMessage: string, options?: { cause?: unknown }) {
    super('ERR_SCRIPT', `script ${script} failed: ${redisMessage}`, options);
    this.script = script;
    this.redisMessage = redisMessage;
    this.retryable = isRetryableReply(redisMessage);
  }
}

/** Redis answered a plain command with an error reply. */
export class CommandError extends RedisPrimitiveError {
  /** The error text Redis returned. */
  readonly redisMessage: string;

  /** Retryable when the reply names a temporary server state (`LOADING`, `CLUSTERDOWN`, `BUSY`, ...). */
  override readonly retryable: boolean;

  constructor(command: string, redisMessage: string, options?: { cause?: unknown }) {
    super('ERR_COMMAND', `${command} failed: ${redisMessage}`, options);
    this.redisMessage = redisMessage;
    this.retryable = isRetryableReply(redisMessage);
  }
}
