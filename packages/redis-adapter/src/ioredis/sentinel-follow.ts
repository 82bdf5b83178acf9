import type { IoredisModule } from '../client-library.js';
import { ConnectionError } from '../errors.js';
import { failoverBackoffMs } from '../node-redis/failover-defaults.js';
import { MasterFollowingTransport, type MasterConnection } from '../sentinel/follow-transport.js';
import { LinkPool, onTroubleOf } from '../sentinel/link-pool.js';
import { describeAddress, SentinelWatch, sentinelAddresses, type NodeAddress, type SentinelLinks } from '../sentinel/watch.js';
import { IoClientTransport } from './client-transport.js';
import { ioTimeoutMs, ownedIoRedis } from './connect.js';
import type { IoCommandClass, IoRedis } from './types.js';

/** Milliseconds a sentinel or replica gets to connect and to answer one command of the watch. */
const LINK_TIMEOUT_MS = 1_000;

type Callable = IoRedis & { call(...args: string[]): Promise<unknown> };

/** The watch's connections to sentinels and replicas, over ioredis. */
class IoredisSentinelLinks implements SentinelLinks {
  readonly #links: LinkPool<Callable>;

  constructor(
    private readonly io: IoredisModule,
    private readonly onError: (err: Error) => void,
  ) {
    this.#links = new LinkPool<Callable>(
      (node) =>
        new this.io.Redis({
          host: node.host,
          port: node.port,
          lazyConnect: true,
          enableOfflineQueue: false,
          connectTimeout: LINK_TIMEOUT_MS,
          commandTimeout: LINK_TIMEOUT_MS,
          maxRetriesPerRequest: 0,
          retryStrategy: () => null,
        }) as unknown as Callable,
      (client) => client.disconnect(),
    );
  }

  async command(node: NodeAddress, args: string[]): Promise<unknown> {
    return (await this.#links.get(node)).call(...args);
  }

  forget(node: NodeAddress): Promise<void> {
    return this.#links.forget(node);
  }

  async subscribe(sentinel: NodeAddress, channels: string[], onMessage: (channel: string, message: string) => void): Promise<() => Promise<void>> {
    // Reconnects (and resubscribes: ioredis does) with the failover backoff once connected.
    const client = ownedIoRedis(this.io, { host: sentinel.host, port: sentinel.port, connectTimeout: LINK_TIMEOUT_MS }, true);
    client.on('error', this.onError as (...args: never[]) => void);
    client.on('message', ((channel: string, message: string) => onMessage(channel, message)) as (...args: never[]) => void);
    try {
      await client.connect();
      await client.subscribe(...channels);
    } catch (err) {
      client.disconnect();
      throw err;
    }
    return async () => client.disconnect();
  }

  close(): void {
    this.#links.close();
  }
}

/** A plain ioredis client on one master, with the failover reconnect backoff. */
async function openMaster(
  io: IoredisModule,
  master: NodeAddress,
  onError: (err: Error) => void,
  timeoutMs: number | undefined,
): Promise<MasterConnection> {
  const client = ownedIoRedis(io, { host: master.host, port: master.port }, true);
  client.on('error', onError as (...args: never[]) => void);
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    throw err;
  }
  const transport = new IoClientTransport(client, io.Command as unknown as IoCommandClass, onError, ioTimeoutMs(client, timeoutMs));
  return {
    transport,
    get isReady() {
      return client.status === 'ready';
    },
    onTrouble: (listener) => onTroubleOf(client as never, listener),
    async close() {
      if (client.status === 'ready') await transport.close(true);
      else transport.destroy(true);
    },
  };
}

/**
 * A sentinel connection the adapter creates over ioredis, following the master
 * itself (see `SentinelWatch`; ioredis' own sentinel support resumes about 1 s
 * after a promotion, on `+switch-master`). `connect` finds the master and connects.
 */
export function followIoSentinelMaster(
  io: IoredisModule,
  settings: { sentinelRootNodes: unknown[]; name: string },
  onError: (err: Error) => void,
  timeoutMs: number | undefined,
): MasterFollowingTransport {
  const sentinels = sentinelAddresses(settings.sentinelRootNodes);
  const links = new IoredisSentinelLinks(io, onError);
  return new MasterFollowingTransport(
    (current, moveTo) => new SentinelWatch(links, sentinels, settings.name, current, moveTo),
    (master) =>
      openMaster(io, master, onError, timeoutMs).catch((err: unknown) => {
        throw new ConnectionError(`could not connect to the master ${describeAddress(master)} of ${settings.name}: ${(err as Error)?.message ?? String(err)}`, {
          cause: err,
        });
      }),
    () => links.close(),
  );
}
