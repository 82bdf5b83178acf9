import type { ScriptDescriptor } from '@x/lua-scripts';
import { scriptWireArgs, toWire, toWireAt } from '../args.js';
import { ConnectionClosedError, CrossSlotError, InvalidArgumentError } from '../errors.js';
import type {
  AdapterStats,
  CallOptions,
  CommandCall,
  MessageListener,
  RedisAdapter,
  ScanOptions,
  ScriptCall,
  SettledReply,
  SubscribeOptions,
  Subscription,
} from '../port.js';
import { hashedPart, hashSlot, hasHashedPart } from '../slot.js';
import { isNoScript, mapError } from './map-error.js';
import type { RawListener, SendOptions, Transport } from './transport.js';

interface Prepared {
  /** EVALSHA (or the plain command) ready to send. */
  readonly args: (string | Buffer)[];
  /** The script's source, for the EVAL form sent after NOSCRIPT (script calls only). */
  readonly source?: string;
  readonly firstKey: string | Buffer | undefined;
  readonly script?: string;
  readonly command: string;
}

/** The EVAL form of a prepared EVALSHA call (made only when the server answered NOSCRIPT). */
function evalArgs(p: Prepared): (string | Buffer)[] {
  const args = p.args.slice();
  args[0] = 'EVAL';
  args[1] = p.source!;
  return args;
}

interface ListenerEntry {
  readonly fn: MessageListener<string> | MessageListener<Buffer>;
  readonly buffers: boolean;
  readonly onResync: (() => void) | undefined;
}

interface ChannelState {
  readonly raw: RawListener;
  readonly listeners: Set<ListenerEntry>;
  ready: Promise<void>;
}

const keyText = (k: string | Buffer) => (typeof k === 'string' ? k : k.toString('latin1'));

/** The node-redis implementation of {@link RedisAdapter} over one {@link Transport}. */
export class NodeRedisAdapter implements RedisAdapter {
  readonly stats: AdapterStats = { commands: 0, noscriptFallbacks: 0, published: 0 };
  #closed = false;
  /** True once the first connect (if the adapter made one) succeeded: calls then skip waiting for it. */
  #connected = false;
  readonly #plainOptions: SendOptions;
  readonly #bufferOptions: SendOptions;
  #channels = new Map<string, ChannelState>();
  #stopInterruptions: (() => void) | undefined;

  constructor(
    private readonly transport: Transport,
    readonly ownsConnection: boolean,
    private readonly ready: Promise<void>,
    private readonly commandTimeoutMs?: number,
  ) {
    this.#plainOptions = { returnBuffers: false, signal: undefined, timeoutMs: commandTimeoutMs };
    this.#bufferOptions = { returnBuffers: true, signal: undefined, timeoutMs: commandTimeoutMs };
    ready.then(
      () => {
        this.#connected = true;
      },
      () => undefined,
    );
  }

  get topology() {
    return this.transport.topology;
  }

  hashSlot(key: string | Uint8Array): number {
    return hashSlot(key);
  }

  /** Throws CrossSlotError unless `keys[from, from + count)` all hash to one slot (on a cluster, or without allowCrossSlot). */
  #checkSlots(
    keys: readonly (string | Buffer)[],
    from: number,
    count: number,
    context: string,
    options: CallOptions | undefined,
  ): void {
    if (count < 2) return;
    if (options?.allowCrossSlot === true && this.transport.topology !== 'cluster') return;
    // Keys of one operation usually share one hash tag: a string comparison, no checksum.
    const head = keys[from]!;
    const part = typeof head === 'string' ? hashedPart(head) : undefined;
    let first = -1;
    for (let i = from + 1; i < from + count; i++) {
      const key = keys[i]!;
      if (part !== undefined && typeof key === 'string' && hasHashedPart(key, part)) continue;
      if (first === -1) first = hashSlot(head);
      if (hashSlot(key) !== first) {
        const all = keys.slice(from, from + count);
        throw new CrossSlotError(all.map(keyText), all.map((k) => hashSlot(k)), context);
      }
    }
  }

  #prepareScript(call: ScriptCall, options: CallOptions | undefined): Prepared {
    const { script } = call;
    if (!script || typeof script.sha1 !== 'string' || typeof script.source !== 'string') {
      throw new InvalidArgumentError('runScript needs a script descriptor from @x/lua-scripts', { argument: 'script' });
    }
    const { wire, keyCount } = scriptWireArgs(script, call.keys, call.args);
    if (keyCount > 1) this.#checkSlots(wire, 3, keyCount, `script ${script.name}`, options);
    return {
      args: wire,
      source: script.source,
      firstKey: keyCount > 0 ? wire[3] : undefined,
      script: script.name,
      command: 'EVALSHA',
    };
  }

  #prepareCommand(call: CommandCall, options: CallOptions | undefined): Prepared {
    if (!call || !Array.isArray(call.command) || call.command.length === 0) {
      throw new InvalidArgumentError('a command call needs a non-empty command array', { argument: 'command' });
    }
    const input = call.command;
    const args: (string | Buffer)[] = new Array(input.length);
    for (let i = 0; i < input.length; i++) args[i] = toWireAt(input[i], 'command', 'argument', i, 0);
    const inputKeys = call.keys ?? [];
    const keys: (string | Buffer)[] = new Array(inputKeys.length);
    for (let i = 0; i < inputKeys.length; i++) keys[i] = toWireAt(inputKeys[i], 'command', 'key', i, 0);
    const command = String(args[0]).toUpperCase();
    this.#checkSlots(keys, 0, keys.length, command, options);
    return { args, firstKey: keys[0], command };
  }

  #prepare(call: ScriptCall | CommandCall, options: CallOptions | undefined): Prepared {
    return 'script' in call ? this.#prepareScript(call, options) : this.#prepareCommand(call, options);
  }

  #assertOpen(): void {
    if (this.#closed) throw new ConnectionClosedError('the adapter is closed');
  }

  #sendOptions(options: CallOptions | undefined): SendOptions {
    // The common cases share one object each: nothing to allocate per call.
    if (options === undefined || (options.signal === undefined && options.returnBuffers !== true)) return this.#plainOptions;
    if (options.signal === undefined) return this.#bufferOptions;
    return { returnBuffers: options.returnBuffers === true, signal: options.signal, timeoutMs: this.commandTimeoutMs };
  }

  #abortMeansTimeout(options: CallOptions | undefined): boolean {
    return this.transport.abortMeansTimeout(this.#sendOptions(options));
  }

  /** Sends one prepared call, EVAL after NOSCRIPT, errors mapped; waits for the first connect if it is under way. */
  #send(p: Prepared, options: CallOptions | undefined): Promise<unknown> {
    if (!this.#connected) return this.ready.then(() => this.#send(p, options));
    const sendOptions = this.#sendOptions(options);
    this.stats.commands++;
    let sent: Promise<unknown>;
    try {
      sent = this.transport.send(p.args, p.firstKey, sendOptions);
    } catch (err) {
      return Promise.reject(mapError(err, p, this.transport.abortMeansTimeout(sendOptions)));
    }
    return sent.catch((err: unknown) => {
      if (p.source === undefined || !isNoScript(err)) throw mapError(err, p, this.transport.abortMeansTimeout(sendOptions));
      this.stats.noscriptFallbacks++;
      this.stats.commands++;
      return this.transport.send(evalArgs(p), p.firstKey, sendOptions).catch((err2: unknown) => {
        throw mapError(err2, p, this.transport.abortMeansTimeout(sendOptions));
      });
    });
  }

  runScript<T = unknown>(script: ScriptDescriptor, input: Omit<ScriptCall, 'script'>, options?: CallOptions): Promise<T> {
    try {
      this.#assertOpen();
      const prepared = this.#prepareScript({ script, keys: input?.keys ?? [], args: input?.args }, options);
      return this.#send(prepared, options) as Promise<T>;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  command<T = unknown>(call: CommandCall, options?: CallOptions): Promise<T> {
    try {
      this.#assertOpen();
      const prepared = this.#prepareCommand(call, options);
      return this.#send(prepared, options) as Promise<T>;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async pipeline(calls: readonly (ScriptCall | CommandCall)[], options?: CallOptions): Promise<unknown[]> {
    const { prepared, settled } = await this.#pipeline(calls, options);
    const failedAt = settled.findIndex((r) => r.status === 'rejected');
    if (failedAt !== -1) throw mapError((settled[failedAt] as PromiseRejectedResult).reason, prepared[failedAt]!, this.#abortMeansTimeout(options));
    return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value);
  }

  async pipelineSettled(calls: readonly (ScriptCall | CommandCall)[], options?: CallOptions): Promise<SettledReply[]> {
    const { prepared, settled } = await this.#pipeline(calls, options);
    return settled.map((r, i) =>
      r.status === 'fulfilled' ? { ok: true, value: r.value } : { ok: false, error: mapError(r.reason, prepared[i]!, this.#abortMeansTimeout(options)) },
    );
  }

  async #pipeline(
    calls: readonly (ScriptCall | CommandCall)[],
    options: CallOptions | undefined,
  ): Promise<{ prepared: Prepared[]; settled: PromiseSettledResult<unknown>[] }> {
    this.#assertOpen();
    if (!Array.isArray(calls)) throw new InvalidArgumentError('pipeline takes an array of calls', { argument: 'calls' });
    const prepared = calls.map((c) => this.#prepare(c, options));
    if (prepared.length === 0) return { prepared, settled: [] };
    await this.ready;
    const sendOptions = this.#sendOptions(options);
    this.stats.commands += prepared.length;
    // One batch: every call written before any reply is read (one round trip per node).
    const settled = await this.transport.sendBatch(
      prepared.map((p) => ({ args: p.args, firstKey: p.firstKey })),
      sendOptions,
    );
    // Script calls the server did not know: re-send as EVAL, together and in their original order.
    const retry = prepared
      .map((p, i) => ({ p, i }))
      .filter(({ p, i }) => p.source !== undefined && settled[i]!.status === 'rejected' && isNoScript((settled[i] as PromiseRejectedResult).reason));
    if (retry.length > 0) {
      this.stats.noscriptFallbacks += retry.length;
      this.stats.commands += retry.length;
      const again = await this.transport.sendBatch(
        retry.map(({ p }) => ({ args: evalArgs(p), firstKey: p.firstKey })),
        sendOptions,
      );
      retry.forEach(({ i }, j) => {
        settled[i] = again[j]!;
      });
    }
    return { prepared, settled };
  }

  async publish(channel: string, message: string | Uint8Array): Promise<number> {
    this.#assertOpen();
    if (typeof channel !== 'string' || channel.length === 0) {
      throw new InvalidArgumentError('channel must be a non-empty string', { argument: 'channel' });
    }
    const payload = toWire(message, 'message');
    await this.ready;
    this.stats.published++;
    const reply = await this.#send(
      { args: [this.transport.publishCommand, channel, payload], firstKey: channel, command: 'PUBLISH' },
      undefined,
    );
    return Number(reply);
  }

  subscribe(channel: string, listener: MessageListener<string>, options?: SubscribeOptions & { returnBuffers?: false }): Promise<Subscription>;
  subscribe(channel: string, listener: MessageListener<Buffer>, options: SubscribeOptions & { returnBuffers: true }): Promise<Subscription>;
  async subscribe(
    channel: string,
    listener: MessageListener<string> | MessageListener<Buffer>,
    options?: SubscribeOptions,
  ): Promise<Subscription> {
    this.#assertOpen();
    if (typeof channel !== 'string' || channel.length === 0) {
      throw new InvalidArgumentError('channel must be a non-empty string', { argument: 'channel' });
    }
    if (typeof listener !== 'function') throw new InvalidArgumentError('listener must be a function', { argument: 'listener' });
    const onResync = options?.onResync;
    if (onResync !== undefined && typeof onResync !== 'function') {
      throw new InvalidArgumentError('onResync must be a function', { argument: 'onResync' });
    }
    await this.ready;
    this.#stopInterruptions ??= this.transport.onInterruption(this.#resync);
    const entry: ListenerEntry = { fn: listener, buffers: options?.returnBuffers === true, onResync };
    let state = this.#channels.get(channel);
    if (!state) {
      const listeners: ChannelState['listeners'] = new Set();
      const raw: RawListener = (message, ch) => {
        for (const l of [...listeners]) {
          try {
            (l.fn as (m: unknown, c: string) => void)(l.buffers ? message : message.toString('utf8'), String(ch));
          } catch {
            // A listener's own error must not break delivery to the others.
          }
        }
      };
      const fresh: ChannelState = { raw, listeners, ready: Promise.resolve() };
      fresh.ready = this.transport.subscribe(channel, raw).catch((err) => {
        if (this.#channels.get(channel) === fresh) this.#channels.delete(channel);
        throw mapError(err, { command: 'SUBSCRIBE' });
      });
      state = fresh;
      this.#channels.set(channel, state);
    }
    state.listeners.add(entry);
    try {
      await state.ready;
    } catch (err) {
      state.listeners.delete(entry);
      throw err;
    }
    const current = state;
    let active = true;
    return {
      channel,
      unsubscribe: async () => {
        if (!active) return;
        active = false;
        current.listeners.delete(entry);
        if (current.listeners.size === 0 && this.#channels.get(channel) === current) {
          this.#channels.delete(channel);
          await this.transport.unsubscribe(channel, current.raw).catch(() => undefined);
        }
      },
    };
  }

  /** A connection that may carry subscriptions was interrupted: tell every listener that asked. */
  readonly #resync = () => {
    for (const state of [...this.#channels.values()]) {
      for (const entry of [...state.listeners]) {
        if (!entry.onResync) continue;
        try {
          entry.onResync();
        } catch {
          // A listener's own error must not keep the others from hearing of it.
        }
      }
    }
  };

  scan(options?: ScanOptions): AsyncIterable<string[]> {
    this.#assertOpen();
    const count = options?.count ?? 500;
    if (!Number.isInteger(count) || count <= 0) {
      throw new InvalidArgumentError('scan count must be a positive integer', { argument: 'count' });
    }
    const transport = this.transport;
    const ready = this.ready;
    return {
      async *[Symbol.asyncIterator]() {
        await ready;
        try {
          yield* transport.scan(options?.match, count, options?.type);
        } catch (err) {
          throw mapError(err, { command: 'SCAN' });
        }
      },
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopInterruptions?.();
    this.#stopInterruptions = undefined;
    const channels = [...this.#channels];
    this.#channels.clear();
    await this.ready.catch(() => undefined);
    if (!this.ownsConnection) {
      // Our listeners live on the caller's connection objects: take them off.
      await Promise.all(channels.map(([ch, st]) => this.transport.unsubscribe(ch, st.raw).catch(() => undefined)));
    }
    await this.transport.close(this.ownsConnection);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
