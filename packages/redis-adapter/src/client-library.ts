import { RedisPrimitiveError } from './errors.js';
import { errorGuard } from './validate/brand.js';

/** The client libraries the adapter can open a connection with. */
export type ClientLibrary = 'node-redis' | 'ioredis';

/** The client libraries {@link CreateAdapterOptions.client} accepts. */
export const CLIENT_LIBRARIES = ['node-redis', 'ioredis'] as const;

const INSTALL = { 'node-redis': 'npm install redis', ioredis: 'npm install ioredis' } as const;

/**
 * A URL or connection settings were passed, but the client library that would
 * open the connection is not installed (`redis` and `ioredis` are optional
 * peers: install the one you use). Code `ERR_NO_REDIS_CLIENT`. A client object
 * you pass needs neither library to be resolvable from here.
 */
export class MissingClientError extends RedisPrimitiveError {
  static readonly brand = Symbol.for('@x/redis-adapter:MissingClientError');
  /** The libraries that were looked for. */
  readonly libraries: readonly ClientLibrary[];

  constructor(libraries: readonly ClientLibrary[], options?: { cause?: unknown }) {
    const install = libraries.map((l) => `\`${INSTALL[l]}\``).join(' or ');
    super(
      'ERR_NO_REDIS_CLIENT',
      `no Redis client library is installed to open this connection: run ${install} (or pass a connected client instead of a URL or settings)`,
      options,
    );
    this.libraries = libraries;
  }
}

/** True when a connection could not be opened because no client library is installed. */
export const isMissingClientError = errorGuard(MissingClientError);

/** The node-redis module (`redis`). */
export type NodeRedisModule = typeof import('redis');

/** The parts of the ioredis module the adapter uses to open connections. */
export interface IoredisModule {
  readonly Redis: new (...args: unknown[]) => unknown;
  readonly Cluster: new (...args: unknown[]) => unknown;
  readonly Command: new (...args: never[]) => unknown;
}

/** How the optional peers are imported (a seam for tests that simulate a missing library). */
export interface ClientImporters {
  'node-redis': () => Promise<unknown>;
  ioredis: () => Promise<unknown>;
}

export const DEFAULT_IMPORTERS: ClientImporters = {
  'node-redis': () => import('redis'),
  ioredis: () => import('ioredis'),
};

let importers: ClientImporters = DEFAULT_IMPORTERS;

/** Replaces the importers (tests only); returns the function that restores the previous ones. */
export function setClientImporters(next: ClientImporters): () => void {
  const previous = importers;
  importers = next;
  return () => {
    importers = previous;
  };
}

function isNotFound(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/** A loaded client library. */
export type LoadedLibrary = { readonly kind: 'node-redis'; readonly module: NodeRedisModule } | { readonly kind: 'ioredis'; readonly module: IoredisModule };

async function load(kind: ClientLibrary): Promise<LoadedLibrary> {
  const mod = (await importers[kind]()) as Record<string, unknown> & { default?: Record<string, unknown> };
  if (kind === 'node-redis') return { kind, module: mod as unknown as NodeRedisModule };
  const Redis = (mod.Redis ?? mod.default) as IoredisModule['Redis'] & { Cluster?: unknown; Command?: unknown };
  return {
    kind,
    module: {
      Redis,
      Cluster: (mod.Cluster ?? Redis.Cluster) as IoredisModule['Cluster'],
      Command: (mod.Command ?? Redis.Command) as IoredisModule['Command'],
    },
  };
}

/**
 * Loads the client library for a connection the adapter opens: the one asked
 * for, or node-redis when installed and ioredis otherwise. Rejects with
 * {@link MissingClientError} naming the install command(s).
 */
export async function loadClientLibrary(preferred?: ClientLibrary): Promise<LoadedLibrary> {
  const order: ClientLibrary[] = preferred ? [preferred] : ['node-redis', 'ioredis'];
  let cause: unknown;
  for (const kind of order) {
    try {
      return await load(kind);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      cause ??= err;
    }
  }
  throw new MissingClientError(order, { cause });
}
