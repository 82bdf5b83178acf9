import { ConnectionClosedError, ConnectionError, InvalidArgumentError } from '@x/redis-adapter';
import { AuthenticationError, BackendClosedError, ProtocolError, RemoteBackendError } from '../errors.js';
import type { WireValue } from './codec.js';

/** Version of the process-shared wire protocol; host and client must agree. */
export const PROTOCOL_VERSION = 1;

/** Environment variable holding the host's socket path (see `SharedBackendHost.env`). */
export const ENV_SOCKET = 'X_SHARED_BACKEND_SOCKET';
/** Environment variable holding the host's access token. */
export const ENV_TOKEN = 'X_SHARED_BACKEND_TOKEN';

/** Default largest frame (message) either side accepts: 256 MiB. */
export const DEFAULT_MAX_FRAME_BYTES = 256 * 1024 * 1024;
/** Largest frame accepted before the handshake succeeded. */
export const HANDSHAKE_MAX_FRAME_BYTES = 4096;

/** Status of a response frame `[id, status, result]`. */
export const OK = 0;
export const FAILED = 1;

/** Serialises an error for the wire: `[name, code, message, argument]`. */
export function errorToWire(err: unknown): WireValue {
  if (err instanceof Error) {
    const raw = (err as { code?: unknown }).code;
    const code = typeof raw === 'string' ? raw : 'ERR_UNKNOWN';
    const argument = (err as { argument?: unknown }).argument;
    return [err.name, code, err.message, typeof argument === 'string' ? argument : null];
  }
  return ['Error', 'ERR_UNKNOWN', String(err), null];
}

/** Rebuilds an error received from the host as the same typed error where this process has its class. */
export function errorFromWire(value: WireValue): Error {
  if (!Array.isArray(value) || value.length < 3) return new ProtocolError('malformed error reply');
  const [name, code, message, argument] = value;
  const text = typeof message === 'string' ? message : 'unknown error';
  switch (code) {
    case 'ERR_INVALID_ARGUMENT':
    case 'ERR_UNKNOWN_OPTION':
    case 'ERR_TOO_LARGE':
    case 'ERR_NOT_SERIALIZABLE':
      // Bad input refused by the host: the same code, matched by isInvalidArgumentError.
      return new InvalidArgumentError(text, { code, ...(typeof argument === 'string' ? { argument } : {}) });
    case 'ERR_BACKEND_CLOSED':
      return new BackendClosedError(text);
    case 'ERR_AUTH':
      return new AuthenticationError(text);
    case 'ERR_PROTOCOL':
      return new ProtocolError(text);
    case 'ERR_CONNECTION_CLOSED':
      return new ConnectionClosedError(text);
    case 'ERR_CONNECTION':
      return new ConnectionError(text);
    default:
      return new RemoteBackendError(String(name), String(code), text);
  }
}
