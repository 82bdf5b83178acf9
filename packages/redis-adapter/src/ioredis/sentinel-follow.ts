import type { IoredisModule } from '../client-library.js';
import { ConnectionError } from '../errors.js';
import { failoverBackoffMs } from '../node-redis/failover-defaults.js';
import { MasterFollowingTransport, type MasterConnection } from '../sentinel/follow-transport.js';
import { describeAddress, SentinelWatch, sentinelAddresses, type NodeAddress, type SentinelLinks } from '../sentinel/watch.js';
import { IoClientTransport } from './client-transport.js';
import { ioTimeoutMs, ownedIoRedis } from './connect.js';
import type { IoCommandClass, IoRedis } from './types.js';

/** Milliseconds a sentinel or replica gets to connect and to answer one command of the watch. */
const LINK_TIMEOUT_MS = 1_000;

type Callable = IoRedis & { call(...args: string[]): Promise<unknown> };

const key = (a: NodeAddress) => describeAddress(a);

/** The watch's connections to sentinels and replicas, over ioredis. */
class IoredisSentinelLinks implements SentinelLinks {
  readonly #commands = new Map<string, Promise<Callable>>();

  constructor(
    private readonly io: IoredisModule,
    private readonly onError: (err: Error) => void,
  ) {}

  /** A connection for commands; one that fails is dropped, and the next command opens another. */
  #client(node: NodeAddress): Promise<Callable> {
    const k = key(node);
    const known = this.#commands.get(k);
    if (known) return known;
    const client = new this.io.Redis({
      host: node.host,
      port: node.port,
      lazyConnect: true,
      enableOfflineQueue: false,
      connectTimeout: LINK_TIMEOUT_MS,
      commandTimeout: LINK_TIMEOUT_MS,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    }) as unknown as Callable;
    const drop = () => {
      if (this.#commands.get(k) === pending) this.#commands.delete(k);
    };
    client.on('error', drop);
    client.on('end', drop);
    const pending = client.connect().then(
      () => client,
      (err: unknown) => {
        drop();
        client.disconnect();
        throw err;
      },
    );
    this.#commands.set(k, pending);
    return pending;
  }

  async command(node: NodeAddress, args: string[]): Promise<unknown> {
    return (await this.#client(node)).call(...args);
  }

  async forget(node: NodeAddress): Promise<void> {
    const pending = this.#commands.get(key(node));
    this.#commands.delete(key(node));
    (await pending?.catch(() => undefined))?.disconnect();
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
    for (const [k, pending] of this.#commands) {
      this.#commands.delete(k);
      void pending.then(
        (c) => c.disconnect(),
        () => undefined,
      );
    }
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
    onTrouble(listener) {
      client.on('error', listener);
      client.on('reconnecting', listener);
      return () => {
        client.off('error', listener);
        client.off('reconnecting', listener);
      };
    },
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
