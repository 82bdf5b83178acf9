/**
 * Base class of every error the `@x` Redis primitives throw on purpose.
 * `code` is stable across versions: match on it, not on the message.
 */
export class RedisPrimitiveError extends Error {
  /** Stable machine-readable code, e.g. `ERR_INVALID_ARGUMENT`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }
}

/** Input was rejected before anything was sent to Redis. */
export class InvalidArgumentError extends RedisPrimitiveError {
  /** The name of the offending argument or option, when there is one. */
  readonly argument: string | undefined;

  constructor(message: string, options?: { argument?: string; cause?: unknown }) {
    super('ERR_INVALID_ARGUMENT', message, options);
    this.argument = options?.argument;
  }
}

/** Redis could not be reached, or the connection broke while a command was in flight. */
export class ConnectionError extends RedisPrimitiveError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'ERR_CONNECTION', message, options);
  }
}

/** The client was closed (by its owner, or by `adapter.close()`); nothing more can be sent on it. */
export class ConnectionClosedError extends ConnectionError {
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

/** A Lua script raised an error (or Redis refused to run it). */
export class ScriptError extends RedisPrimitiveError {
  /** The descriptor name of the script, e.g. `lock/acquire`. */
  readonly script: string;
  /** The error text Redis returned. */
  readonly redisMessage: string;

  constructor(script: string, redisMessage: string, options?: { cause?: unknown }) {
    super('ERR_SCRIPT', `script ${script} failed: ${redisMessage}`, options);
    this.script = script;
    this.redisMessage = redisMessage;
  }
}

/** Redis answered a plain command with an error reply. */
export class CommandError extends RedisPrimitiveError {
  /** The error text Redis returned. */
  readonly redisMessage: string;

  constructor(command: string, redisMessage: string, options?: { cause?: unknown }) {
    super('ERR_COMMAND', `${command} failed: ${redisMessage}`, options);
    this.redisMessage = redisMessage;
  }
}
