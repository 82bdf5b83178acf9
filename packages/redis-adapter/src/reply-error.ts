import { CommandError, ScriptError } from './errors.js';

/**
 * Maps an error reply of the server (whatever client library carried it) to
 * the typed error of the call: `ScriptError` for a script call, `CommandError`
 * otherwise. One function for every client, so a reply maps the same way on
 * node-redis and ioredis.
 */
export function mapReplyError(message: string, cause: unknown, what: { script?: string; command?: string }): Error {
  if (what.script !== undefined) return new ScriptError(what.script, message, { cause });
  return new CommandError(what.command ?? 'command', message, { cause });
}
