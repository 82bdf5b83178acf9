import { RESP_TYPES } from 'redis';

/** Bulk and simple strings as Buffers (binary-safe replies). */
export const BUFFER_MAPPING = {
  [RESP_TYPES.BLOB_STRING]: Buffer,
  [RESP_TYPES.SIMPLE_STRING]: Buffer,
} as const;

/** The default decoding, stated explicitly so a caller's client-level mapping cannot change our replies. */
export const STRING_MAPPING = {} as const;

const PLAIN = { typeMapping: STRING_MAPPING };
const BUFFERS = { typeMapping: BUFFER_MAPPING };

/** node-redis command options for one call (shared objects on the common path: no allocation). */
export function commandOptions(options: { returnBuffers: boolean; signal?: AbortSignal; timeoutMs?: number }) {
  if (!options.signal && options.timeoutMs === undefined) return options.returnBuffers ? BUFFERS : PLAIN;
  return {
    typeMapping: options.returnBuffers ? BUFFER_MAPPING : STRING_MAPPING,
    ...(options.signal ? { abortSignal: options.signal } : {}),
    ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
  };
}
