import { connect, type Socket } from 'node:net';
import { checkOptions, ConnectionClosedError, ConnectionError, InvalidArgumentError } from '@x/redis-adapter';
import { AuthenticationError, BackendClosedError, isRemoteBackendError, OperationIdConflictError, ProtocolError } from '../errors.js';
import type { AppendOptions, BackendInfo, SharedBackend, SlotInput } from '../types.js';
import { appendOperationId, assertId, assertIndex, assertPositiveInt, limitsFrom, OPTION_KEYS, slotBytes, type Limits } from '../validate.js';
import { decodeValue, encodeFrame, type WireValue } from './codec.js';
import { FrameReader } from './framing.js';
import type { HostAddress } from './host.js';
import {
  DEFAULT_MAX_FRAME_BYTES,
  ENV_SOCKET,
  ENV_TOKEN,
  errorFromWire,
  HANDSHAKE_MAX_FRAME_BYTES,
  OK,
  PROTOCOL_VERSION,
} from './protocol.js';

/** Options of {@link ProcessSharedBackend}. */
export interface ProcessSharedBackendOptions extends HostAddress {
  /** Connecting and the token handshake must finish within this time (default 5000 ms). */
  connectTimeoutMs?: number;
  /** Largest message accepted or sent, in bytes (default 256 MiB; the host's limit applies too). */
  maxFrameBytes?: number;
  /** Items fetched per round trip while listing (default 1000). */
  listBatchSize?: number;
  /** Largest thread id, chain or uuid in UTF-8 bytes (default 1024), checked in this process. */
  maxIdBytes?: number;
  /** Largest slot in bytes (default 1 MiB), checked in this process. */
  maxSlotBytes?: number;
}

interface Pending {
  resolve: (value: WireValue) => void;
  reject: (err: Error) => void;
}

/** One authenticated socket to the host, with requests matched to replies by id. */
class ClientConnection {
  #pending = new Map<number, Pending>();
  #nextId = 1;
  #reader: FrameReader;
  #handshake: Pending | undefined;
  #failure: Error | undefined;
  maxFrameBytes: number;

  constructor(
    private readonly socket: Socket,
    maxFrameBytes: number,
    private readonly onClose: (conn: ClientConnection) => void,
  ) {
    this.maxFrameBytes = maxFrameBytes;
    this.#reader = new FrameReader(HANDSHAKE_MAX_FRAME_BYTES, (frame) => this.#onFrame(frame));
    socket.on('data', (chunk: Buffer) => {
      try {
        this.#reader.push(chunk);
      } catch (err) {
        this.#terminate(err as Error);
      }
    });
    socket.on('error', (err) => this.#terminate(new ConnectionError(`shared backend host connection failed: ${err.message}`, { cause: err })));
    socket.on('close', () => this.#terminate(new ConnectionClosedError('the shared backend host closed the connection')));
  }

  get alive(): boolean {
    return this.#failure === undefined;
  }

  /** Sends the token; resolves once the host accepted it. */
  hello(token: string, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#terminate(new ConnectionError(`no handshake from the shared backend host within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#handshake = {
        resolve: (reply) => {
          clearTimeout(timer);
          if (Array.isArray(reply) && reply[0] === 'ok') {
            const hostMax = typeof reply[2] === 'number' ? reply[2] : DEFAULT_MAX_FRAME_BYTES;
            this.maxFrameBytes = Math.min(this.maxFrameBytes, hostMax);
            this.#reader.maxFrameBytes = this.maxFrameBytes;
            resolve();
            return;
          }
          const err =
            Array.isArray(reply) && reply[0] === 'error'
              ? reply[1] === 'ERR_AUTH'
                ? new AuthenticationError(String(reply[2]))
                : new ProtocolError(String(reply[2]))
              : new ProtocolError('unexpected handshake reply');
          this.#terminate(err);
          reject(err);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      this.socket.write(encodeFrame(['hello', PROTOCOL_VERSION, token], HANDSHAKE_MAX_FRAME_BYTES));
    });
  }

  request(op: string, args: WireValue[]): Promise<WireValue> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    let frame: Buffer;
    try {
      frame = encodeFrame([id, op, ...args], this.maxFrameBytes);
    } catch (err) {
      return Promise.reject(err instanceof ProtocolError ? new InvalidArgumentError(err.message) : err);
    }
    return new Promise<WireValue>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.socket.write(frame);
    });
  }

  #onFrame(frame: Buffer): void {
    let message: WireValue;
    try {
      message = decodeValue(frame);
    } catch (err) {
      this.#terminate(err as Error);
      return;
    }
    if (this.#handshake !== undefined) {
      const hs = this.#handshake;
      this.#handshake = undefined;
      hs.resolve(message);
      return;
    }
    if (!Array.isArray(message) || typeof message[0] !== 'number') {
      this.#terminate(new ProtocolError('malformed reply from the shared backend host'));
      return;
    }
    const pending = this.#pending.get(message[0]);
    if (pending === undefined) return;
    this.#pending.delete(message[0]);
    if (message[1] === OK) pending.resolve(message[2] ?? null);
    else pending.reject(errorFromWire(message[2] ?? null));
  }

  #terminate(err: Error): void {
    if (this.#failure !== undefined) return;
    this.#failure = err;
    this.socket.destroy();
    const hs = this.#handshake;
    this.#handshake = undefined;
    hs?.reject(err);
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
    this.onClose(this);
  }

  close(): void {
    this.#terminate(new ConnectionClosedError('the connection to the shared backend host was closed'));
  }
}

/**
 * A {@link SharedBackend} whose state lives in a {@link SharedBackendHost} in
 * another (or the same) local process, reached over a Unix domain socket or a
 * named pipe. Connects lazily on first use, and again after the connection
 * broke (calls in flight when it broke reject with `ConnectionError`).
 *
 * ```ts
 * const backend = ProcessSharedBackend.fromEnv(); // in a worker started with host.env
 * ```
 */
export class ProcessSharedBackend implements SharedBackend {
  readonly #socketPath: string;
  readonly #token: string;
  readonly #connectTimeoutMs: number;
  readonly #maxFrameBytes: number;
  readonly #listBatchSize: number;
  #conn: Promise<ClientConnection> | undefined;
  #closed = false;

  readonly #limits: Limits;

  constructor(options: ProcessSharedBackendOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidArgumentError('options must be an object with socketPath and token', { argument: 'options' });
    }
    checkOptions(options, 'ProcessSharedBackend options', { accepted: OPTION_KEYS.processClient });
    this.#limits = limitsFrom(options);
    if (typeof options.socketPath !== 'string' || options.socketPath.length === 0) {
      throw new InvalidArgumentError('socketPath must be a non-empty string', { argument: 'socketPath' });
    }
    if (typeof options.token !== 'string' || options.token.length === 0) {
      throw new InvalidArgumentError('token must be a non-empty string', { argument: 'token' });
    }
    this.#socketPath = options.socketPath;
    this.#token = options.token;
    this.#connectTimeoutMs = (options.connectTimeoutMs === undefined ? 5000 : assertPositiveInt(options.connectTimeoutMs, 'connectTimeoutMs'));
    this.#maxFrameBytes = (options.maxFrameBytes === undefined ? DEFAULT_MAX_FRAME_BYTES : assertPositiveInt(options.maxFrameBytes, 'maxFrameBytes', 0xffff_ffff));
    this.#listBatchSize = (options.listBatchSize === undefined ? 1000 : assertPositiveInt(options.listBatchSize, 'listBatchSize', 10_000));
  }

  /**
   * A client for the host named by the environment (`X_SHARED_BACKEND_SOCKET`,
   * `X_SHARED_BACKEND_TOKEN`), as set by `fork(..., { env: { ...process.env, ...host.env } })`.
   */
  static fromEnv(
    env: Record<string, string | undefined> = process.env,
    options: Omit<ProcessSharedBackendOptions, 'socketPath' | 'token'> = {},
  ): ProcessSharedBackend {
    const socketPath = env[ENV_SOCKET];
    const token = env[ENV_TOKEN];
    if (!socketPath || !token) {
      throw new InvalidArgumentError(`${ENV_SOCKET} and ${ENV_TOKEN} must be set to reach a shared backend host`, {
        argument: 'env',
      });
    }
    return new ProcessSharedBackend({ ...options, socketPath, token });
  }

  /** Connects now instead of on first use; rejects with `AuthenticationError` for a wrong token. */
  async connect(): Promise<void> {
    await this.#connection();
  }

  #connection(): Promise<ClientConnection> {
    if (this.#closed) return Promise.reject(new BackendClosedError(undefined, { object: 'ProcessSharedBackend' }));
    this.#conn ??= this.#open();
    return this.#conn;
  }

  async #open(): Promise<ClientConnection> {
    const attempt = (async () => {
      const socket = connect(this.#socketPath);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          socket.destroy();
          reject(new ConnectionError(`could not reach the shared backend host at ${this.#socketPath} within ${this.#connectTimeoutMs} ms`));
        }, this.#connectTimeoutMs);
        socket.once('connect', () => {
          clearTimeout(timer);
          resolve();
        });
        socket.once('error', (err) => {
          clearTimeout(timer);
          reject(new ConnectionError(`could not reach the shared backend host at ${this.#socketPath}: ${err.message}`, { cause: err }));
        });
      });
      socket.setNoDelay?.(true);
      const conn = new ClientConnection(socket, this.#maxFrameBytes, (dead) => {
        void this.#conn?.then(
          (c) => {
            if (c === dead) this.#conn = undefined;
          },
          () => undefined,
        );
      });
      await conn.hello(this.#token, this.#connectTimeoutMs);
      return conn;
    })();
    attempt.catch(() => {
      this.#conn = undefined; // the next call tries again
    });
    return attempt;
  }

  async #call(op: string, args: WireValue[]): Promise<WireValue> {
    const conn = await this.#connection();
    return conn.request(op, args);
  }

  async bufferAppend(threadId: string, slot: SlotInput, options?: AppendOptions): Promise<number> {
    assertId(threadId, 'threadId', this.#limits);
    const bytes = slotBytes(slot, this.#limits);
    const operationId = appendOperationId(options, this.#limits);
    if (operationId === '') return (await this.#call('bufferAppend', [threadId, bytes])) as number;
    try {
      return (await this.#call('bufferAppend', [threadId, bytes, operationId])) as number;
    } catch (error) {
      if (isRemoteBackendError(error) && error.remoteCode === 'ERR_OPERATION_ID_CONFLICT') throw new OperationIdConflictError(threadId, operationId);
      throw error;
    }
  }

  async bufferGetThread(threadId: string): Promise<Uint8Array[]> {
    assertId(threadId, 'threadId', this.#limits);
    return (await this.#call('bufferGetThread', [threadId])) as Buffer[];
  }

  async bufferGetSlot(threadId: string, index: number): Promise<Uint8Array | null> {
    assertId(threadId, 'threadId', this.#limits);
    assertIndex(index);
    return (await this.#call('bufferGetSlot', [threadId, index])) as Buffer | null;
  }

  async bufferThreadLength(threadId: string): Promise<number> {
    assertId(threadId, 'threadId', this.#limits);
    return (await this.#call('bufferThreadLength', [threadId])) as number;
  }

  async bufferThreadExists(threadId: string): Promise<boolean> {
    assertId(threadId, 'threadId', this.#limits);
    return (await this.#call('bufferThreadExists', [threadId])) as boolean;
  }

  async bufferDeleteThread(threadId: string): Promise<boolean> {
    assertId(threadId, 'threadId', this.#limits);
    return (await this.#call('bufferDeleteThread', [threadId])) as boolean;
  }

  bufferListThreads(): AsyncIterable<string> {
    return this.#listing<string>('threads');
  }

  async bufferClear(): Promise<void> {
    await this.#call('bufferClear', []);
  }

  async registrySet(chain: string, uuid: string): Promise<void> {
    assertId(chain, 'chain', this.#limits);
    assertId(uuid, 'uuid', this.#limits);
    await this.#call('registrySet', [chain, uuid]);
  }

  async registryGetUuid(chain: string): Promise<string | null> {
    assertId(chain, 'chain', this.#limits);
    return (await this.#call('registryGetUuid', [chain])) as string | null;
  }

  async registryGetChain(uuid: string): Promise<string | null> {
    assertId(uuid, 'uuid', this.#limits);
    return (await this.#call('registryGetChain', [uuid])) as string | null;
  }

  async registryDelete(uuid: string): Promise<boolean> {
    assertId(uuid, 'uuid', this.#limits);
    return (await this.#call('registryDelete', [uuid])) as boolean;
  }

  registryListAll(): AsyncIterable<[uuid: string, chain: string]> {
    return this.#listing<[string, string]>('registry');
  }

  async registryClear(): Promise<void> {
    await this.#call('registryClear', []);
  }

  async ping(): Promise<boolean> {
    if (this.#closed) return false;
    try {
      return (await this.#call('ping', [])) === true;
    } catch {
      return false;
    }
  }

  async info(): Promise<BackendInfo> {
    const [bufferThreads, registryEntries, ttlMs] = (await this.#call('info', [])) as [number, number, number];
    return { bufferThreads, registryEntries, ttlMs };
  }

  /** Closes this client's connection (the host and its state stay). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const conn = this.#conn;
    this.#conn = undefined;
    const c = await conn?.catch(() => undefined);
    c?.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #listing<T>(kind: 'threads' | 'registry'): AsyncIterable<T> {
    const batch = this.#listBatchSize;
    const connection = () => this.#connection();
    return {
      async *[Symbol.asyncIterator]() {
        const conn = await connection();
        const id = (await conn.request('listOpen', [kind])) as number;
        let done = false;
        try {
          while (!done) {
            const [finished, items] = (await conn.request('listNext', [id, batch])) as [boolean, WireValue[]];
            done = finished;
            for (const item of items) yield item as T;
          }
        } finally {
          if (!done) conn.request('listClose', [id]).catch(() => undefined);
        }
      },
    };
  }
}
