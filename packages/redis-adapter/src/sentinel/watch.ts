/**
 * Finds and follows the master of a sentinel-managed group for connections the
 * adapter creates (`{ sentinelRootNodes, name }`), independent of the client
 * library (the library provides {@link SentinelLinks}).
 *
 * Why not the library's own sentinel client: node-redis 6 re-reads the
 * topology only on `+odown`/`switch-master` events and retries after 1 s
 * while the failover is in progress, so its writers resume 2-2.7 s after the
 * promotion. Sentinel itself learns of the promotion from the replica's INFO,
 * polled once a second, and announces `+switch-master` later still.
 *
 * What this does instead: it subscribes to every sentinel; when one reports the
 * master subjectively down (`+sdown master <name> ...`) it asks that sentinel
 * for the replicas and polls their `ROLE` every {@link PROMOTION_POLL_MS} ms;
 * the first replica that reports the master role is the new master (Sentinel
 * promotes with `REPLICAOF NO ONE`, which takes effect at once). A
 * `+switch-master` for the name moves to the announced address in any case, and
 * whenever the master connection is in trouble the sentinels are asked again
 * (at most every {@link ASK_INTERVAL_MS} ms), so a missed announcement costs
 * no more than that.
 */

/** An address of a Redis server. */
export interface NodeAddress {
  readonly host: string;
  readonly port: number;
}

/** What the watch needs from a client library. */
export interface SentinelLinks {
  /** Sends one command to a server (a sentinel or a replica), on a connection the links keep or open. */
  command(node: NodeAddress, args: string[]): Promise<unknown>;
  /** Subscribes to `channels` on a sentinel; resolves with the function that ends the subscription. */
  subscribe(sentinel: NodeAddress, channels: string[], onMessage: (channel: string, message: string) => void): Promise<() => Promise<void>>;
  /** Closes the connections `command` keeps to a server. */
  forget(node: NodeAddress): Promise<void>;
}

/** Milliseconds between `ROLE` polls of the replicas while the master is down. */
export const PROMOTION_POLL_MS = 20;
/** Shortest time (ms) between two rounds of asking the sentinels for the master. */
export const ASK_INTERVAL_MS = 200;
/** How long (ms) replicas are polled after the master went down, unless a switch ends it sooner. */
export const PROMOTION_POLL_LIMIT_MS = 60_000;

export function sameAddress(a: NodeAddress | undefined, b: NodeAddress | undefined): boolean {
  return a !== undefined && b !== undefined && a.host === b.host && a.port === b.port;
}

/** The sentinels of `{ sentinelRootNodes }` (`{ host, port }` each; 127.0.0.1 and 26379 when left out). */
export function sentinelAddresses(rootNodes: readonly unknown[]): NodeAddress[] {
  return rootNodes.map((n) => {
    const { host, port } = (n ?? {}) as { host?: unknown; port?: unknown };
    return { host: typeof host === 'string' ? host : '127.0.0.1', port: typeof port === 'number' ? port : 26379 };
  });
}

/** `host:port` for messages. */
export function describeAddress(a: NodeAddress): string {
  return `${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
}

/** The master address in a `SENTINEL GET-MASTER-ADDR-BY-NAME` reply, or undefined (unknown name). */
export function parseMasterAddr(reply: unknown): NodeAddress | undefined {
  if (!Array.isArray(reply) || reply.length < 2) return undefined;
  const port = Number(String(reply[1]));
  return Number.isInteger(port) && port > 0 ? { host: String(reply[0]), port } : undefined;
}

/** The reachable replicas in a `SENTINEL REPLICAS` reply (an array of field/value lists or maps). */
export function parseReplicas(reply: unknown): NodeAddress[] {
  if (!Array.isArray(reply)) return [];
  const out: NodeAddress[] = [];
  for (const entry of reply) {
    const fields = new Map<string, string>();
    if (Array.isArray(entry)) {
      for (let i = 0; i + 1 < entry.length; i += 2) fields.set(String(entry[i]), String(entry[i + 1]));
    } else if (entry instanceof Map) {
      for (const [k, v] of entry) fields.set(String(k), String(v));
    } else if (entry && typeof entry === 'object') {
      for (const [k, v] of Object.entries(entry)) fields.set(k, String(v));
    }
    const host = fields.get('ip');
    const port = Number(fields.get('port'));
    if (host === undefined || !Number.isInteger(port)) continue;
    if (/disconnected/.test(fields.get('flags') ?? '')) continue;
    out.push({ host, port });
  }
  return out;
}

/** True when a `ROLE` reply says master. */
export function isMasterRole(reply: unknown): boolean {
  return Array.isArray(reply) && String(reply[0]) === 'master';
}

/** `<type> <name> <ip> <port> @ <master-name> <master-ip> <master-port>`: the instance's type, name and address. */
function parseInstance(message: string): { type: string; name: string; address: NodeAddress } | undefined {
  const parts = message.split(' ');
  if (parts[0] === 'master' && parts.length >= 4) return { type: 'master', name: parts[1]!, address: { host: parts[2]!, port: Number(parts[3]) } };
  return undefined;
}

export class SentinelWatch {
  readonly #unsubscribes: (() => Promise<void>)[] = [];
  #lastAsk = 0;
  #asking: Promise<void> | undefined;
  #pollUntil = 0;
  #polling = false;
  #closed = false;

  /**
   * @param sentinels the sentinels named by the caller, asked in order.
   * @param name the master's name.
   * @param current the master in use (undefined before the first connect).
   * @param moveTo called with a master that differs from `current()`; resolves once the move is done or refused.
   */
  constructor(
    private readonly links: SentinelLinks,
    private readonly sentinels: readonly NodeAddress[],
    private readonly name: string,
    private readonly current: () => NodeAddress | undefined,
    private readonly moveTo: (master: NodeAddress) => Promise<void>,
  ) {}

  /** The master the first sentinel that knows the name reports; throws when none answers. */
  async findMaster(): Promise<NodeAddress> {
    const failures: string[] = [];
    for (const sentinel of this.sentinels) {
      try {
        const master = parseMasterAddr(await this.links.command(sentinel, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.name]));
        if (master) return master;
        failures.push(`${describeAddress(sentinel)}: no master named ${JSON.stringify(this.name)}`);
      } catch (err) {
        failures.push(`${describeAddress(sentinel)}: ${(err as Error)?.message ?? String(err)}`);
      }
    }
    throw new Error(`no sentinel named a master for ${JSON.stringify(this.name)} (${failures.join('; ')})`);
  }

  /** Subscribes to every sentinel it can reach (a sentinel that cannot be reached is skipped). */
  async start(): Promise<void> {
    const channels = ['+switch-master', '+sdown', '-sdown'];
    await Promise.all(
      this.sentinels.map(async (sentinel) => {
        try {
          const stop = await this.links.subscribe(sentinel, channels, (channel, message) => this.#onEvent(sentinel, channel, message));
          if (this.#closed) await stop();
          else this.#unsubscribes.push(stop);
        } catch {
          // An unreachable sentinel: the others, and asking on trouble, cover it.
        }
      }),
    );
  }

  /** The master connection is in trouble: ask the sentinels again (at most every {@link ASK_INTERVAL_MS} ms). */
  troubled(): void {
    if (this.#closed || this.#asking || Date.now() - this.#lastAsk < ASK_INTERVAL_MS) return;
    this.#lastAsk = Date.now();
    const asked = this.current();
    this.#asking = this.findMaster()
      .then(async (master) => {
        // Moved meanwhile (a promotion found first), or no news: nothing to do.
        if (!sameAddress(asked, this.current()) || sameAddress(master, asked)) return;
        // The sentinels name the old master until they switch; only a server that says it is master is followed.
        if (isMasterRole(await this.links.command(master, ['ROLE']))) await this.moveTo(master);
      })
      .catch(() => undefined)
      .finally(() => {
        this.#asking = undefined;
      });
  }

  #onEvent(sentinel: NodeAddress, channel: string, message: string): void {
    if (this.#closed) return;
    if (channel === '+switch-master') {
      // `<name> <old-ip> <old-port> <new-ip> <new-port>`
      const [name, , , host, port] = message.split(' ');
      if (name !== this.name || host === undefined) return;
      this.#pollUntil = 0;
      const master = { host, port: Number(port) };
      if (!sameAddress(master, this.current())) void this.moveTo(master).catch(() => undefined);
      return;
    }
    const instance = parseInstance(message);
    if (!instance || instance.name !== this.name || !sameAddress(instance.address, this.current())) return;
    if (channel === '-sdown') this.#pollUntil = 0;
    else if (channel === '+sdown') void this.#pollReplicas(sentinel);
  }

  /** Polls the replicas' ROLE until one is master (then moves there), the master is back, or the limit passes. */
  async #pollReplicas(sentinel: NodeAddress): Promise<void> {
    this.#pollUntil = Date.now() + PROMOTION_POLL_LIMIT_MS;
    if (this.#polling) return;
    this.#polling = true;
    const down = this.current();
    let replicas: NodeAddress[] = [];
    try {
      replicas = parseReplicas(await this.links.command(sentinel, ['SENTINEL', 'REPLICAS', this.name]));
      while (!this.#closed && Date.now() < this.#pollUntil && sameAddress(down, this.current())) {
        const roles = await Promise.all(replicas.map((r) => this.links.command(r, ['ROLE']).catch(() => undefined)));
        const promoted = replicas.find((_, i) => isMasterRole(roles[i]));
        if (promoted) {
          await this.moveTo(promoted).catch(() => undefined);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, PROMOTION_POLL_MS));
      }
    } catch {
      // The sentinel went away: `+switch-master` and asking on trouble remain.
    } finally {
      this.#polling = false;
      await Promise.all(replicas.map((r) => this.links.forget(r).catch(() => undefined)));
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#pollUntil = 0;
    await Promise.all(this.#unsubscribes.splice(0).map((stop) => stop().catch(() => undefined)));
    await this.#asking;
  }
}
