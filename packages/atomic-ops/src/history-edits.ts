import { createHash } from 'node:crypto';
import { atomicOps as scripts, type ScriptDescriptor } from '@x/lua-scripts';
import { InvalidArgumentError, RedisPrimitiveError, checkOptions, type ScriptCall } from '@x/redis-adapter';
import { OperationIdConflictError, UnexpectedReplyError } from './errors.js';
import type { AtomicOpsKeys } from './keys.js';
import type { Message } from './types.js';
import { MAX_COUNT, MAX_TTL_MS, assertId, intOption, messageJson, optionalId } from './validate.js';

/** Most messages one `replaceMessages` call takes in `messages`, and again in `expectedSuffix`. */
export const MAX_REPLACE_MESSAGES = 1000;

/** Input of `replaceMessages`. */
export interface ReplaceMessagesInput {
  sessionId: string;
  /** The messages put in place of the replaced ones, oldest first (may be empty). */
  messages: readonly Message[];
  /**
   * Replace only the session's last messages, and only when they are exactly these
   * (compared as stored JSON text, so pass the messages as they were written). An empty
   * array appends `messages`. Omit it to replace the whole history, whatever it holds.
   */
  expectedSuffix?: readonly Message[];
  /**
   * Idempotency key: a retry with the same id and the same content writes nothing and
   * returns the original count; the same id with other content (or used by another kind
   * of operation) is refused with {@link OperationIdConflictError}.
   */
  operationId?: string;
  /** Keep only the last `maxMessages` messages (0 = no limit). Default: the instance's. */
  maxMessages?: number;
  /** TTL set on every key of the session (0 = no expiry). Default: the instance's. */
  ttlMs?: number;
}

/** Options of `popMessage`. */
export interface PopMessageOptions {
  /** TTL set on every key of the session (0 = no expiry). Default: the instance's. */
  ttlMs?: number;
  /**
   * Idempotency key: the removed message (or "none") is remembered with the id in the
   * same script call, so a retry with the same id removes nothing more and returns the
   * first call's message. The id used by another kind of operation on the session is
   * refused with {@link OperationIdConflictError}. Remembered like the appends' ids
   * (the last `maxOperationIds`, for the session's TTL).
   */
  operationId?: string;
}

/**
 * The session's last messages are not the `expectedSuffix` given to
 * `replaceMessages` (another writer got there first, or the window trimmed
 * them): nothing was written and the operation id was not recorded. Read the
 * history again and decide. Code `ERR_SUFFIX_MISMATCH`.
 */
export class SuffixMismatchError extends RedisPrimitiveError {
  /** The session. */
  readonly sessionId: string;
  /** How many messages the session held when the suffix was compared. */
  readonly storedMessages: number;

  constructor(sessionId: string, storedMessages: number) {
    super(
      'ERR_SUFFIX_MISMATCH',
      `session ${JSON.stringify(sessionId)} does not end with the expected messages (it holds ${storedMessages}); nothing was written`,
    );
    this.sessionId = sessionId;
    this.storedMessages = storedMessages;
  }
}

/** What the history edits need from an `AtomicOperations` instance: its connection, keys and defaults. */
export interface HistoryEditContext {
  /**
   * Runs a write script with the instance's durability, under its retry policy
   * when `repeatable` (the call carries an operation id).
   */
  readonly write: (script: ScriptDescriptor, input: Omit<ScriptCall, 'script'>, repeatable: boolean) => Promise<unknown>;
  readonly keys: AtomicOpsKeys;
  readonly ttlMs: number;
  readonly maxMessages: number;
  readonly maxMessageBytes: number;
  readonly maxOperationIds: number;
  readonly maxIdBytes: number;
}

const REPLACE_KEYS = ['sessionId', 'messages', 'expectedSuffix', 'operationId', 'maxMessages', 'ttlMs'] as const;
const POP_KEYS = ['ttlMs', 'operationId'] as const;

function messageList(value: unknown, argument: string, limitBytes: number): string[] {
  if (!Array.isArray(value) || value.length > MAX_REPLACE_MESSAGES) {
    throw new InvalidArgumentError(`${argument} must be an array of at most ${MAX_REPLACE_MESSAGES} messages`, { argument });
  }
  return value.map((m, i) => messageJson(m, `${argument}[${i}]`, limitBytes));
}

/**
 * The operation kind recorded with an operation id: `<name>.<sha1>` of the exact
 * content, so the id used again with other content is a conflict.
 */
export function contentKind(expected: string[] | null, replacement: string[], name = 'replace'): string {
  const hash = createHash('sha1');
  hash.update(expected === null ? 'all\n' : `suffix ${expected.length}\n`);
  for (const text of expected ?? []) hash.update(`${Buffer.byteLength(text)}\n`).update(text);
  hash.update(`with ${replacement.length}\n`);
  for (const text of replacement) hash.update(`${Buffer.byteLength(text)}\n`).update(text);
  return `${name}.${hash.digest('hex')}`;
}

/**
 * The kind an operation id was recorded with, as a conflict reports it: content
 * kinds (`append.<sha1>`, `replace.<sha1>`, `record.<sha1>`) by their name, and
 * `(with other messages)` / `(with other content)` when the conflicting call was
 * of the same kind.
 */
export function recordedKind(recorded: string, kind: string): string {
  const dot = recorded.indexOf('.');
  if (dot < 0) return recorded;
  const name = recorded.slice(0, dot);
  if (name !== kind) return name;
  return name === 'record' ? 'record (with other content)' : `${name} (with other messages)`;
}

function isReply(reply: unknown): reply is [number, number | string] {
  return Array.isArray(reply) && reply.length >= 2 && typeof reply[0] === 'number';
}

/** See `AtomicOperations.replaceMessages`. */
export async function replaceMessages(ctx: HistoryEditContext, input: ReplaceMessagesInput): Promise<number> {
  if (input === undefined) throw new InvalidArgumentError('replaceMessages input is required', { argument: 'input' });
  checkOptions(input, 'replaceMessages input', { accepted: REPLACE_KEYS });
  const sessionId = assertId(input.sessionId, 'sessionId', ctx.maxIdBytes);
  const replacement = messageList(input.messages, 'messages', ctx.maxMessageBytes);
  const expected =
    input.expectedSuffix === undefined ? null : messageList(input.expectedSuffix, 'expectedSuffix', ctx.maxMessageBytes);
  const maxMessages = intOption(input.maxMessages, 'maxMessages', ctx.maxMessages, { max: MAX_COUNT });
  const ttlMs = intOption(input.ttlMs, 'ttlMs', ctx.ttlMs, { max: MAX_TTL_MS });
  const operationId = optionalId(input.operationId, 'operationId', ctx.maxIdBytes) ?? '';
  const kind = operationId === '' ? 'replace' : contentKind(expected, replacement);
  const keys = ctx.keys.session(sessionId);
  const call = {
    keys: ctx.keys.sessionScriptKeys(keys),
    args: [
      maxMessages,
      ttlMs,
      operationId,
      ctx.maxOperationIds,
      kind,
      expected === null ? -1 : expected.length,
      ...(expected ?? []),
      ...replacement,
    ],
  };
  const reply = await ctx.write(scripts.replaceSuffix, call, operationId !== '');
  if (!isReply(reply)) throw new UnexpectedReplyError(scripts.replaceSuffix.name, reply);
  const [status, value] = reply;
  if (status === 1 || status === 2) return Number(value);
  if (status === -1) throw new SuffixMismatchError(sessionId, Number(value));
  if (status === 0) {
    throw new OperationIdConflictError(operationId, recordedKind(String(value), 'replace'), 'replace');
  }
  throw new UnexpectedReplyError(scripts.replaceSuffix.name, reply);
}

/** See `AtomicOperations.popMessage`. */
export async function popMessage<M extends Message = Message>(
  ctx: HistoryEditContext,
  sessionId: string,
  options?: PopMessageOptions,
): Promise<M | null> {
  assertId(sessionId, 'sessionId', ctx.maxIdBytes);
  checkOptions(options, 'popMessage options', { accepted: POP_KEYS });
  const ttlMs = intOption(options?.ttlMs, 'ttlMs', ctx.ttlMs, { max: MAX_TTL_MS });
  const operationId = optionalId(options?.operationId, 'operationId', ctx.maxIdBytes) ?? '';
  const keys = ctx.keys.session(sessionId);
  const reply = await ctx.write(
    scripts.popMessage,
    { keys: ctx.keys.sessionScriptKeys(keys), args: [ttlMs, operationId, ctx.maxOperationIds] },
    operationId !== '',
  );
  if (!isReply(reply)) throw new UnexpectedReplyError(scripts.popMessage.name, reply);
  const [status, value] = reply;
  if (status === 1 || status === 2) return value === '' ? null : (JSON.parse(String(value)) as M);
  if (status === 0) throw new OperationIdConflictError(operationId, recordedKind(String(value), 'pop'), 'pop');
  throw new UnexpectedReplyError(scripts.popMessage.name, reply);
}
