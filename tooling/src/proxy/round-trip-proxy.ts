import net from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 that counts round trips between a client and one
 * Redis server: a round trip begins each time the client sends after the
 * server has answered (or for the first time). A pipeline written in one go
 * counts once however many commands it holds; N sequential calls count N.
 * Tests use it to prove "one round trip per operation".
 */
export class RoundTripProxy {
  #server: net.Server;
  #sockets = new Set<net.Socket>();
  #roundTrips = 0;
  #port = 0;
  #cut = false;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    this.#server = net.createServer((client) => this.#pipe(client));
  }

  /** Starts a proxy in front of `host:port` on a free local port. */
  static async start(targetHost: string, targetPort: number): Promise<RoundTripProxy> {
    const proxy = new RoundTripProxy(targetHost, targetPort);
    await new Promise<void>((resolve, reject) => {
      proxy.#server.once('error', reject);
      proxy.#server.listen(0, '127.0.0.1', () => resolve());
    });
    proxy.#port = (proxy.#server.address() as net.AddressInfo).port;
    return proxy;
  }

  get host(): string {
    return '127.0.0.1';
  }
  get port(): number {
    return this.#port;
  }
  get url(): string {
    return `redis://127.0.0.1:${this.#port}`;
  }
  /** Round trips since start (or the last {@link RoundTripProxy.reset}). */
  get roundTrips(): number {
    return this.#roundTrips;
  }
  reset(): void {
    this.#roundTrips = 0;
  }

  /**
   * Cuts every proxied connection and refuses new ones until
   * {@link RoundTripProxy.restore}: a network partition between the client and Redis.
   */
  cut(): void {
    this.#cut = true;
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
  }

  /** Accepts connections again after {@link RoundTripProxy.cut}. */
  restore(): void {
    this.#cut = false;
  }

  #pipe(client: net.Socket): void {
    if (this.#cut) {
      client.destroy();
      return;
    }
    const upstream = net.connect(this.targetPort, this.targetHost);
    this.#sockets.add(client);
    this.#sockets.add(upstream);
    let awaitingReply = false;
    client.on('data', (chunk) => {
      if (!awaitingReply) {
        this.#roundTrips++;
        awaitingReply = true;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      awaitingReply = false;
      client.write(chunk);
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.#sockets.delete(client);
      this.#sockets.delete(upstream);
    };
    client.on('close', close);
    upstream.on('close', close);
    client.on('error', close);
    upstream.on('error', close);
  }

  /** Stops listening and cuts every proxied connection. */
  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
