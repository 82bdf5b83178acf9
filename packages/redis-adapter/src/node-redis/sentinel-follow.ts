import type { RedisClientOptions } from 'redis';
import type { NodeRedisModule } from '../client-library.js';
import { ConnectionError } from '../errors.js';
import { MasterFollowingTransport, type MasterConnection } from '../sentinel/follow-transport.js';
import { LinkPool, onTroubleOf } from '../sentinel/link-pool.js';
import { describeAddress, SentinelWatch, sentinelAddresses, type NodeAddress, type SentinelLinks } from '../sentinel/watch.js';
import { ClientTransport, type AnyClient } from './client-transport.js';
import { failoverBackoffMs } from './failover-defaults.js';
import { createOwnedClient } from './owned-client.js';

/** The sentinel settings the adapter follows itself; any other key leaves the work to node-redis' `createSentinel`. */
export const FOLLOWED_SENTINEL_SETTINGS = ['sentinelRootNodes', 'name', 'nodeClientOptions', 'sentinelClientOptions'] as const;

/** Milliseconds a sentinel or replica gets to connect and to answer one command of the watch. */
const LINK_TIMEOUT_MS = 1_000;

type ClientOptions = RedisClientOptions & { socket?: Record<string, unknown> };

function withAddress(options: ClientOptions | undefined, a: NodeAddress, extra: Record<string, unknown> = {}): ClientOptions {
  return { ...options, socket: { ...options?.socket, host: a.host, port: a.port, ...extra } } as ClientOptions;
}

/** The watch's connections to sentinels and replicas, over node-redis. */
class NodeRedisSentinelLinks implements SentinelLinks {
  readonly #links: LinkPool<AnyClient>;

  constructor(
    private readonly redis: NodeRedisModule,
    private readonly sentinelOptions: ClientOptions | undefined,
    private readonly nodeOptions: ClientOptions | undefined,
    private readonly sentinels: readonly NodeAddress[],
    private readonly onError: (err: Error) => void,
  ) {
    this.#links = new LinkPool<AnyClient>(
      (node) =>
        this.redis.createClient({
          ...withAddress(this.#optionsFor(node), node, { connectTimeout: LINK_TIMEOUT_MS, reconnectStrategy: false }),
          disableOfflineQueue: true,
        }) as unknown as AnyClient,
      (client) => {
        if (client.isOpen) client.destroy();
      },
    );
  }

  #optionsFor(node: NodeAddress): ClientOptions | undefined {
    return this.sentinels.some((s) => describeAddress(s) === describeAddress(node)) ? this.sentinelOptions : this.nodeOptions;
  }

  async command(node: NodeAddress, args: string[]): Promise<unknown> {
    const client = await this.#links.get(node);
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        client.sendCommand(args),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${describeAddress(node)} did not answer ${args[0]} in ${LINK_TIMEOUT_MS} ms`)), LINK_TIMEOUT_MS);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  forget(node: NodeAddress): Promise<void> {
    return this.#links.forget(node);
  }

  async subscribe(sentinel: NodeAddress, channels: string[], onMessage: (channel: string, message: string) => void): Promise<() => Promise<void>> {
    // Reconnects (and resubscribes: node-redis does) with the failover backoff once connected.
    const client = createOwnedClient(this.redis, withAddress(this.sentinelOptions, sentinel, { connectTimeout: LINK_TIMEOUT_MS }), failoverBackoffMs);
    client.on('error', this.onError);
    await client.connect();
    await client.subscribe(channels, (message: string, channel: string) => onMessage(channel, message));
    return async () => {
      if (client.isOpen) client.destroy();
    };
  }

  close(): void {
    this.#links.close();
  }
}

/** A plain node-redis client on one master, with the failover reconnect backoff. */
async function openMaster(
  redis: NodeRedisModule,
  nodeOptions: ClientOptions | undefined,
  master: NodeAddress,
  onError: (err: Error) => void,
): Promise<MasterConnection> {
  const client = createOwnedClient(redis, withAddress(nodeOptions, master), failoverBackoffMs);
  client.on('error', onError);
  try {
    await client.connect();
  } catch (err) {
    if (client.isOpen) client.destroy();
    throw err;
  }
  const transport = new ClientTransport(client, onError);
  return {
    transport,
    get isReady() {
      return client.isReady;
    },
    onTrouble: (listener) => onTroubleOf(client as never, listener),
    async close() {
      if (client.isReady) await transport.close(true);
      else transport.destroy(true);
    },
  };
}

/**
 * A sentinel connection the adapter creates over node-redis, following the
 * master itself (see `SentinelWatch`). `connect` finds the master and connects.
 */
export function followSentinelMaster(
  redis: NodeRedisModule,
  settings: { sentinelRootNodes: unknown[]; name: string; nodeClientOptions?: unknown; sentinelClientOptions?: unknown },
  onError: (err: Error) => void,
): MasterFollowingTransport {
  const sentinels = sentinelAddresses(settings.sentinelRootNodes);
  const nodeOptions = settings.nodeClientOptions as ClientOptions | undefined;
  const links = new NodeRedisSentinelLinks(redis, settings.sentinelClientOptions as ClientOptions | undefined, nodeOptions, sentinels, onError);
  return new MasterFollowingTransport(
    (current, moveTo) => new SentinelWatch(links, sentinels, settings.name, current, moveTo),
    (master) =>
      openMaster(redis, nodeOptions, master, onError).catch((err: unknown) => {
        throw new ConnectionError(`could not connect to the master ${describeAddress(master)} of ${settings.name}: ${(err as Error)?.message ?? String(err)}`, {
          cause: err,
        });
      }),
    () => links.close(),
  );
}
