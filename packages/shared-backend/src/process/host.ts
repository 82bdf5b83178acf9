import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkBoolean, checkOptions, InvalidArgumentError } from '@x/redis-adapter';
import { ProtocolError } from '../errors.js';
import { InMemoryBackend } from '../memory.js';
import type { SharedBackend } from '../types.js';
import { assertPositiveInt, assertTtlMs, OPTION_KEYS } from '../validate.js';
import { decodeValue, encodeFrame, type WireValue } from './codec.js';
import { FrameReader } from './framing.js';
import {
  DEFAULT_MAX_FRAME_BYTES,
  ENV_SOCKET,
  ENV_TOKEN,
  errorToWire,
  FAILED,
  HANDSHAKE_MAX_FRAME_BYTES,
  OK,
  PROTOCOL_VERSION,
} from './protocol.js';

/** Options of {@link SharedBackendHost.start}. */
export interface SharedBackendHostOptions {
  /** The backend to serve. Default: a new {@link InMemoryBackend} with `ttlMs`. */
  backend?: SharedBackend;
  /** TTL of the default in-memory backend (ignored when `backend` is given). */
  ttlMs?: number;
  /**
   * Where to listen: a Unix domain socket path, or a Windows named pipe
   * (`\\.\pipe\name`). Default: a socket in a new private (0700) temp directory
   * on POSIX, a random pipe name on Windows.
   */
  socketPath?: string;
  /** The access token clients must present. Default: 32 random bytes, hex. */
  token?: string;
  /** Close the backend when the host closes. Default: true when the host created it, false for a backend you passed. */
  closeBackend?: boolean;
  /** Largest message accepted or sent, in bytes (default 256 MiB). */
  maxFrameBytes?: number;
  /** A connection that has not presented the token within this time is dropped (default 5000). */
  handshakeTimeoutMs?: number;
  /** Most listings one connection may have open at once (default 1024). */
  maxOpenListings?: number;
}

/** How a client reaches a host: pass it to `new ProcessSharedBackend(...)`. */
export interface HostAddress {
  socketPath: string;
  token: string;
}

interface Listing {
  iterator: AsyncIterator<unknown>;
}

type Handler = (backend: SharedBackend, args: WireValue[], conn: HostConnection) => Promise<WireValue>;

const str = (v: WireValue | undefined) => v as unknown as string;

/** The operations a client may call; anything else is a protocol error. */
const HANDLERS: Record<string, Handler> = {
  bufferAppend: (b, [t, s, op]) => b.bufferAppend(str(t), s as unknown as Uint8Array, op === undefined ? undefined : { operationId: str(op) }),
  bufferGetThread: async (b, [t]) => (await b.bufferGetThread(str(t))).map(toBuffer),
  bufferGetSlot: async (b, [t, i]) => {
    const slot = await b.bufferGetSlot(str(t), i as unknown as number);
    return slot === null ? null : toBuffer(slot);
  },
  bufferThreadLength: (b, [t]) => b.bufferThreadLength(str(t)),
  bufferThreadExists: (b, [t]) => b.bufferThreadExists(str(t)),
  bufferDeleteThread: (b, [t]) => b.bufferDeleteThread(str(t)),
  bufferClear: async (b) => {
    await b.bufferClear();
    return null;
  },
  registrySet: async (b, [c, u]) => {
    await b.registrySet(str(c), str(u));
    return null;
  },
  registryGetUuid: (b, [c]) => b.registryGetUuid(str(c)),
  registryGetChain: (b, [u]) => b.registryGetChain(str(u)),
  registryDelete: (b, [u]) => b.registryDelete(str(u)),
  registryClear: async (b) => {
    await b.registryClear();
    return null;
  },
  ping: (b) => b.ping(),
  info: async (b) => {
    const i = await b.info();
    return [i.bufferThreads, i.registryEntries, i.ttlMs];
  },
  listOpen: async (b, [kind], conn) => {
    let iterable: AsyncIterable<unknown>;
    if (kind === 'threads') iterable = b.bufferListThreads();
    else if (kind === 'registry') iterable = b.registryListAll();
    else throw new ProtocolError(`unknown listing ${String(kind)}`);
    return conn.openListing(iterable[Symbol.asyncIterator]());
  },
  listNext: async (_b, [id, max], conn) => conn.nextPage(id as number, max as number),
  listClose: async (_b, [id], conn) => {
    await conn.closeListing(id as number);
    return null;
  },
};

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

class HostConnection {
  #authed = false;
  #listings = new Map<number, Listing>();
  #nextListing = 1;
  #reader: FrameReader;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly host: SharedBackendHost,
    private readonly tokenDigest: Buffer,
    private readonly maxFrameBytes: number,
    handshakeTimeoutMs: number,
    private readonly maxOpenListings: number,
  ) {
    this.#reader = new FrameReader(HANDSHAKE_MAX_FRAME_BYTES, (frame) => this.#onFrame(frame));
    this.#timer = setTimeout(() => this.#fail('handshake timed out'), handshakeTimeoutMs);
    this.#timer.unref();
    socket.on('data', (chunk: Buffer) => {
      try {
        this.#reader.push(chunk);
      } catch (err) {
        this.#fail((err as Error).message);
      }
    });
    socket.on('error', () => undefined); // 'close' follows
    socket.on('close', () => this.#cleanup());
  }

  #send(value: WireValue): void {
    if (this.#closed || this.socket.destroyed) return;
    let frame: Buffer;
    try {
      frame = encodeFrame(value, this.maxFrameBytes);
    } catch (err) {
      // A reply too large for the limit: answer with the error instead (the id is value[0]).
      if (Array.isArray(value) && typeof value[0] === 'number') {
        frame = encodeFrame([value[0], FAILED, errorToWire(err)], this.maxFrameBytes);
      } else {
        throw err;
      }
    }
    this.socket.write(frame);
  }

  #fail(reason: string): void {
    if (this.#closed) return;
    if (!this.#authed) this.#send(['error', 'ERR_PROTOCOL', reason]);
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 200).unref();
    this.#cleanup();
  }

  #cleanup(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    for (const listing of this.#listings.values()) void listing.iterator.return?.().catch(() => undefined);
    this.#listings.clear();
    this.host._forget(this);
  }

  destroy(): void {
    this.socket.destroy();
    this.#cleanup();
  }

  #onFrame(frame: Buffer): void {
    let message: WireValue;
    try {
      message = decodeValue(frame);
    } catch (err) {
      this.#fail(`undecodable message: ${(err as Error).message}`);
      return;
    }
    if (!this.#authed) {
      this.#handshake(message);
      return;
    }
    if (!Array.isArray(message) || typeof message[0] !== 'number' || typeof message[1] !== 'string') {
      this.#fail('a request must be [id, op, ...args]');
      return;
    }
    const [id, op, ...args] = message as [number, string, ...WireValue[]];
    void this.#dispatch(id, op, args);
  }

  #handshake(message: WireValue): void {
    if (!Array.isArray(message) || message[0] !== 'hello' || typeof message[2] !== 'string') {
      this.#fail('expected a hello message');
      return;
    }
    if (message[1] !== PROTOCOL_VERSION) {
      this.#send(['error', 'ERR_PROTOCOL', `protocol version ${String(message[1])} is not supported (host speaks ${PROTOCOL_VERSION})`]);
      this.socket.end();
      this.#cleanup();
      return;
    }
    if (!timingSafeEqual(digest(message[2]), this.tokenDigest)) {
      this.#send(['error', 'ERR_AUTH', 'the shared backend host refused the access token']);
      this.socket.end();
      this.#cleanup();
      return;
    }
    this.#authed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#reader.maxFrameBytes = this.maxFrameBytes;
    this.#send(['ok', PROTOCOL_VERSION, this.maxFrameBytes]);
  }

  async #dispatch(id: number, op: string, args: WireValue[]): Promise<void> {
    const handler = Object.hasOwn(HANDLERS, op) ? HANDLERS[op] : undefined;
    try {
      if (handler === undefined) throw new ProtocolError(`unknown operation ${JSON.stringify(op)}`);
      const result = await handler(this.host.backend, args, this);
      this.#send([id, OK, result]);
    } catch (err) {
      this.#send([id, FAILED, errorToWire(err)]);
    }
  }

  openListing(iterator: AsyncIterator<unknown>): number {
    if (this.#listings.size >= this.maxOpenListings) {
      void iterator.return?.().catch(() => undefined);
      throw new InvalidArgumentError(`too many open listings on one connection (${this.maxOpenListings})`, {
        argument: 'listing',
      });
    }
    const id = this.#nextListing++;
    this.#listings.set(id, { iterator });
    return id;
  }

  async nextPage(id: number, max: number): Promise<WireValue> {
    const listing = this.#listings.get(id);
    if (listing === undefined) throw new ProtocolError(`unknown listing ${id}`);
    const limit = Number.isSafeInteger(max) && max > 0 ? Math.min(max, 10_000) : 1000;
    const items: WireValue[] = [];
    while (items.length < limit) {
      const step = await listing.iterator.next();
      if (step.done) {
        this.#listings.delete(id);
        return [true, items];
      }
      items.push(step.value as WireValue);
    }
    return [false, items];
  }

  async closeListing(id: number): Promise<void> {
    const listing = this.#listings.get(id);
    this.#listings.delete(id);
    await listing?.iterator.return?.();
  }
}

/**
 * Serves one backend to other local processes over a Unix domain socket (or a
 * Windows named pipe): the Node counterpart of a multiprocessing manager. Start
 * it in one process, hand {@link SharedBackendHost.address} (or
 * {@link SharedBackendHost.env}) to the others, and they use it through
 * {@link ProcessSharedBackend}. Clients must present the access token first;
 * on POSIX the default socket also sits in a directory only this user can enter.
 */
export class SharedBackendHost {
  /** The backend every client reads and writes. */
  readonly backend: SharedBackend;
  /** Where the host listens. */
  readonly socketPath: string;
  /** The token clients present. Treat it like a password. */
  readonly token: string;
  #server: Server;
  #connections = new Set<HostConnection>();
  #closeBackend: boolean;
  #tempDir: string | undefined;
  #closed: Promise<void> | undefined;

  private constructor(server: Server, backend: SharedBackend, socketPath: string, token: string, closeBackend: boolean, tempDir: string | undefined) {
    this.#server = server;
    this.backend = backend;
    this.socketPath = socketPath;
    this.token = token;
    this.#closeBackend = closeBackend;
    this.#tempDir = tempDir;
  }

  /** Starts listening. Resolves once clients can connect. */
  static async start(options: SharedBackendHostOptions = {}): Promise<SharedBackendHost> {
    checkOptions(options, 'SharedBackendHost options', { accepted: OPTION_KEYS.host });
    const maxFrameBytes = (options.maxFrameBytes === undefined ? DEFAULT_MAX_FRAME_BYTES : assertPositiveInt(options.maxFrameBytes, 'maxFrameBytes', 0xffff_ffff));
    const handshakeTimeoutMs = (options.handshakeTimeoutMs === undefined ? 5000 : assertPositiveInt(options.handshakeTimeoutMs, 'handshakeTimeoutMs'));
    const maxOpenListings = (options.maxOpenListings === undefined ? 1024 : assertPositiveInt(options.maxOpenListings, 'maxOpenListings'));
    const token = options.token ?? randomBytes(32).toString('hex');
    if (typeof token !== 'string' || token.length < 16) {
      throw new InvalidArgumentError('token must be a string of at least 16 characters', { argument: 'token' });
    }
    if (options.backend !== undefined && (typeof options.backend !== 'object' || options.backend === null)) {
      throw new InvalidArgumentError('backend must implement SharedBackend', { argument: 'backend' });
    }
    const backend = options.backend ?? new InMemoryBackend({ ttlMs: (options.ttlMs === undefined ? 0 : assertTtlMs(options.ttlMs)) });
    const closeBackend = checkBoolean(options.closeBackend, 'closeBackend', options.backend === undefined);

    let socketPath = options.socketPath;
    let tempDir: string | undefined;
    if (socketPath === undefined) {
      if (process.platform === 'win32') {
        socketPath = `\\\\.\\pipe\\x-shared-backend-${randomBytes(12).toString('hex')}`;
      } else {
        tempDir = mkdtempSync(join(tmpdir(), 'xsb-')); // created 0700: only this user can reach the socket
        socketPath = join(tempDir, 'host.sock');
      }
    } else if (typeof socketPath !== 'string' || socketPath.length === 0) {
      throw new InvalidArgumentError('socketPath must be a non-empty string', { argument: 'socketPath' });
    }

    const tokenDigest = digest(token);
    let host: SharedBackendHost | undefined;
    const server = createServer((socket) => {
      if (host === undefined || host.#closed !== undefined) {
        socket.destroy();
        return;
      }
      const conn = new HostConnection(socket, host, tokenDigest, maxFrameBytes, handshakeTimeoutMs, maxOpenListings);
      host.#connections.add(conn);
    });
    try {
      await listen(server, socketPath, options.socketPath !== undefined);
    } catch (err) {
      if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
      throw err;
    }
    host = new SharedBackendHost(server, backend, socketPath, token, closeBackend, tempDir);
    return host;
  }

  /** What a client needs: `new ProcessSharedBackend(host.address)`. */
  get address(): HostAddress {
    return { socketPath: this.socketPath, token: this.token };
  }

  /**
   * Environment variables that let a child process connect with
   * `ProcessSharedBackend.fromEnv()`: `fork(file, { env: { ...process.env, ...host.env } })`.
   */
  get env(): Record<string, string> {
    return { [ENV_SOCKET]: this.socketPath, [ENV_TOKEN]: this.token };
  }

  /** Connections currently open (authenticated or not). */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** @internal */
  _forget(conn: HostConnection): void {
    this.#connections.delete(conn);
  }

  /** Stops listening, drops every connection (their pending calls fail with `ConnectionError`), and closes the backend if the host owns it. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      const stopped = new Promise<void>((resolve) => this.#server.close(() => resolve()));
      for (const conn of [...this.#connections]) conn.destroy();
      await stopped;
      if (this.#closeBackend) await this.backend.close();
      if (this.#tempDir !== undefined) rmSync(this.#tempDir, { recursive: true, force: true });
    })();
    return this.#closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function listenOnce(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(path);
  });
}

function isStale(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createConnection(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(false);
    });
    probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

async function listen(server: Server, path: string, userPath: boolean): Promise<void> {
  try {
    await listenOnce(server, path);
  } catch (err) {
    // A socket file left by a crashed host: nobody answers on it, so it is safe to replace.
    if (userPath && (err as NodeJS.ErrnoException).code === 'EADDRINUSE' && process.platform !== 'win32' && (await isStale(path))) {
      unlinkSync(path);
      await listenOnce(server, path);
      return;
    }
    throw err;
  }
}
