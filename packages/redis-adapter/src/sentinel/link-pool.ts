import { describeAddress, type NodeAddress } from './watch.js';

/** What a pool needs of a connection: to connect, to tell it failed or ended, to close at once. */
export interface PooledLink {
  connect(): Promise<unknown>;
  on(event: 'error' | 'end', listener: () => void): unknown;
}

/**
 * The watch's command connections, one per server (a sentinel or a replica),
 * opened on first use, for either client library. One that fails or ends is
 * dropped, and the next command opens another.
 */
export class LinkPool<C extends PooledLink> {
  readonly #links = new Map<string, Promise<C>>();

  constructor(
    private readonly open: (node: NodeAddress) => C,
    private readonly destroy: (link: C) => void,
  ) {}

  /** The connected link to `node`. */
  get(node: NodeAddress): Promise<C> {
    const key = describeAddress(node);
    const known = this.#links.get(key);
    if (known) return known;
    const link = this.open(node);
    const drop = () => {
      if (this.#links.get(key) === pending) this.#links.delete(key);
    };
    link.on('error', drop);
    link.on('end', drop);
    const pending = link.connect().then(
      () => link,
      (err: unknown) => {
        drop();
        this.destroy(link);
        throw err;
      },
    );
    this.#links.set(key, pending);
    return pending;
  }

  /** Closes the link to `node`, if there is one. */
  async forget(node: NodeAddress): Promise<void> {
    const key = describeAddress(node);
    const pending = this.#links.get(key);
    this.#links.delete(key);
    const link = await pending?.catch(() => undefined);
    if (link) this.destroy(link);
  }

  /** Closes every link. */
  close(): void {
    for (const [key, pending] of this.#links) {
      this.#links.delete(key);
      void pending.then(this.destroy, () => undefined);
    }
  }
}

/** Calls `listener` on a connection's `error` and `reconnecting` events; returns the function that stops it. */
export function onTroubleOf(connection: { on(e: string, l: () => void): unknown; off(e: string, l: () => void): unknown }, listener: () => void): () => void {
  connection.on('error', listener);
  connection.on('reconnecting', listener);
  return () => {
    connection.off('error', listener);
    connection.off('reconnecting', listener);
  };
}
