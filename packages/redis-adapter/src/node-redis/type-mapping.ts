/**
 * node-redis' `RESP_TYPES.BLOB_STRING` and `RESP_TYPES.SIMPLE_STRING` (the RESP
 * type bytes `$` and `+`), spelled out so this module loads without node-redis,
 * an optional peer.
 */
const BLOB_STRING = 36;
const SIMPLE_STRING = 43;

/** Bulk and simple strings as Buffers (binary-safe replies). */
export const BUFFER_MAPPING = {
  [BLOB_STRING]: Buffer,
  [SIMPLE_STRING]: Buffer,
} as const;

/** The default decoding, stated explicitly so a caller's client-level mapping cannot change our replies. */
export const STRING_MAPPING = {} as const;

const PLAIN = { typeMapping: STRING_MAPPING };
export const BUFFERS = { typeMapping: BUFFER_MAPPING };

/** node-redis options for a plain call on one connection: none at all, or the explicit string mapping. */
export type PlainOptions = typeof PLAIN | undefined;

/**
 * The options a plain call (strings back, no signal, no timeout) needs on this
 * connection. A connection with no type mapping of its own already decodes the
 * way we want, so it gets none: node-redis is measurably slower per command when
 * handed an explicit empty mapping (8-20 % of the throughput of a loop of small
 * `EVALSHA` calls at 64 concurrent callers, side by side on one client). A connection with
 * a mapping (`createClient({ commandOptions: { typeMapping } })`,
 * `client.withTypeMapping(...)`, a cluster's `defaults`), or one whose options
 * node-redis does not show, gets the explicit string mapping so its mapping
 * cannot change our replies.
 */
export function plainOptionsFor(connection: object): PlainOptions {
  const c = connection as {
    _commandOptions?: { typeMapping?: object } | null;
    _options?: { defaults?: { commandOptions?: { typeMapping?: object } } } | null;
  };
  if (c._commandOptions === undefined || c._commandOptions === null) return PLAIN;
  if (maps(c._commandOptions.typeMapping) || maps(c._options?.defaults?.commandOptions?.typeMapping)) return PLAIN;
  return undefined;
}

function maps(mapping: object | undefined | null): boolean {
  if (mapping === undefined || mapping === null) return false;
  return Object.keys(mapping).length > 0 || Object.getOwnPropertySymbols(mapping).length > 0;
}
