import { MemorySaver, type BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';
import { AtomicOperations } from '@x/atomic-ops';
import { RedisSaver } from '@x/checkpoint-redis';
import { createLock, type Lock } from '@x/lock';
import { createRedisAdapter, type RedisAdapter } from '@x/redis-adapter';
import { ContextBuffer, InMemoryBackend, RedisBackend, ThreadRegistry } from '@x/shared-backend';
import { Cluster, Redis } from 'ioredis';
import { createClient, createCluster } from 'redis';
import { InProcessSessions, type SessionStore } from './sessions.js';
import { InProcessWorkQueue, RedisWorkQueue, type WorkQueue } from './queue.js';

/** What a context-buffer slot of the demo holds: one per answered turn. */
export interface TurnSlot {
  turn: number;
  agent: string;
  cacheHit: boolean;
}

/** Every primitive the pipeline uses, wired to Redis or (memory mode) to in-process stand-ins. */
export interface Services {
  readonly mode: 'redis' | 'memory';
  readonly checkpointer: BaseCheckpointSaver;
  readonly sessions: SessionStore;
  readonly buffers: ContextBuffer<TurnSlot>;
  readonly registry: ThreadRegistry;
  readonly queue: WorkQueue;
  lockFor(conversationId: string): Lock;
  close(): Promise<void>;
}

/** Lease of the per-conversation lock: short, so a killed worker's conversations come free quickly. */
export const LOCK_TTL_MS = 2_000;
const PREFIX = 'demo';

/** The Redis client library of a run (`--client`). */
export type ClientLibrary = 'node-redis' | 'ioredis';

/** Where the services connect: a standalone URL, or the root nodes of a cluster (`--cluster`). */
export type RedisLocation = { url: string } | { rootNodes: Array<{ url: string }> };

/** One connected client of the chosen library, and how to close it. */
async function connect(at: RedisLocation, library: ClientLibrary): Promise<{ client: object; close(): Promise<unknown> }> {
  if (library === 'ioredis') {
    const client =
      'url' in at
        ? new Redis(at.url, { lazyConnect: true })
        : new Cluster(at.rootNodes.map((n) => ({ host: new URL(n.url).hostname, port: Number(new URL(n.url).port) })), { lazyConnect: true });
    client.on('error', () => undefined); // reconnects are ioredis's job; calls report their own errors
    await client.connect();
    return { client, close: () => client.quit() };
  }
  const client = 'url' in at ? createClient({ url: at.url }) : createCluster({ rootNodes: at.rootNodes });
  client.on('error', () => undefined); // reconnects are node-redis's job; calls report their own errors
  await client.connect();
  return { client, close: () => client.close() };
}

/** Options of the Redis services. */
export interface RedisServicesOptions {
  prefix?: string;
  library?: ClientLibrary;
  /**
   * The shared backend's `durability` (`--cluster` sets `{ replicas: 1 }`): a
   * context-buffer write is acknowledged only once a replica has it.
   */
  durability?: { replicas: number; timeoutMs?: number };
}

/** Services on one Redis (standalone or cluster), through one node-redis or ioredis connection this process owns. */
export async function redisServices(at: RedisLocation, options: RedisServicesOptions = {}): Promise<Services> {
  const prefix = options.prefix ?? PREFIX;
  const connection = await connect(at, options.library ?? 'node-redis');
  const redis: RedisAdapter = createRedisAdapter(connection.client as Parameters<typeof createRedisAdapter>[0]);
  const backend = new RedisBackend(redis, { prefix: `${prefix}:shared`, ...(options.durability ? { durability: options.durability } : {}) });
  const locks = new Map<string, Lock>();
  const sessions = new AtomicOperations(redis, { prefix: `${prefix}:sessions`, lockTtlMs: LOCK_TTL_MS });
  return {
    mode: 'redis',
    checkpointer: new RedisSaver(redis, { prefix: `${prefix}:checkpoints` }),
    sessions,
    buffers: new ContextBuffer<TurnSlot>({ backend }),
    registry: new ThreadRegistry({ backend }),
    queue: new RedisWorkQueue(redis, `${prefix}:queue`),
    lockFor(id) {
      let lock = locks.get(id);
      if (!lock) {
        lock = createLock(redis, id, { ttlMs: LOCK_TTL_MS, prefix: `${prefix}:locks` });
        locks.set(id, lock);
      }
      return lock;
    },
    async close() {
      await Promise.all([...locks.values()].map((l) => l.close()));
      await backend.close();
      await redis.close();
      await connection.close();
    },
  };
}

/** Everything in this process: in-memory backends, an in-process lock, MemorySaver. */
export function memoryServices(): Services {
  const backend = new InMemoryBackend();
  const locks = new Map<string, Lock>();
  return {
    mode: 'memory',
    checkpointer: new MemorySaver(),
    sessions: new InProcessSessions(),
    buffers: new ContextBuffer<TurnSlot>({ backend }),
    registry: new ThreadRegistry({ backend }),
    queue: new InProcessWorkQueue(),
    lockFor(id) {
      let lock = locks.get(id);
      if (!lock) {
        lock = createLock(null, id, { ttlMs: LOCK_TTL_MS });
        locks.set(id, lock);
      }
      return lock;
    },
    async close() {
      await backend.close();
    },
  };
}
