import type { BatchItem, RawListener, SendOptions, Transport } from './transport.js';

/**
 * A transport that starts on one connection and may move to another once,
 * before any call is sent: an adapter made from a URL starts on a standalone
 * client and moves to a cluster when the server says it is a cluster node.
 * The adapter sends nothing before its `ready` promise settles, and the move
 * happens before that, so no call ever sees the switch.
 */
export class SwitchableTransport implements Transport {
  #inner: Transport;

  constructor(initial: Transport) {
    this.#inner = initial;
  }

  /** Moves every later call to `next`. */
  switchTo(next: Transport): void {
    this.#inner = next;
  }

  get topology() {
    return this.#inner.topology;
  }

  get publishCommand() {
    return this.#inner.publishCommand;
  }

  get mapError() {
    return this.#inner.mapError;
  }

  send(args: (string | Buffer)[], firstKey: string | Buffer | undefined, options: SendOptions): Promise<unknown> {
    return this.#inner.send(args, firstKey, options);
  }

  sendBatch(items: readonly BatchItem[], options: SendOptions): Promise<PromiseSettledResult<unknown>[]> {
    return this.#inner.sendBatch(items, options);
  }

  scan(match: string | undefined, count: number, type: string | undefined): AsyncIterable<string[]> {
    return this.#inner.scan(match, count, type);
  }

  subscribe(channel: string, listener: RawListener): Promise<void> {
    return this.#inner.subscribe(channel, listener);
  }

  unsubscribe(channel: string, listener: RawListener): Promise<void> {
    return this.#inner.unsubscribe(channel, listener);
  }

  onInterruption(listener: () => void): () => void {
    return this.#inner.onInterruption(listener);
  }

  abortMeansTimeout(options: SendOptions): boolean {
    return this.#inner.abortMeansTimeout(options);
  }

  close(ownsMain: boolean): Promise<void> {
    return this.#inner.close(ownsMain);
  }
}
