import type { ScriptDescriptor } from '@x/lua-scripts';
import { scriptWireArgs, toWire, toWireAt } from '../args.js';
import { ConnectionClosedError, CrossSlotError, InvalidArgumentError } from '../errors.js';
import { CALL_OPTIONS, SCAN_OPTIONS, SUBSCRIBE_OPTIONS } from '../port.js';
import { checkBoolean, checkInteger, checkOptions, describeValue, isPlainObject, unknownOption } from '../validate/index.js';
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
import { isNoScript, mapError as mapNodeRedisError } from './map-error.js';
import type { RawListener, SendOptions, Transport } from './transport.js';

/** The keys a pipeline call may have (a script call's or a command call's). */
const PIPELINE_CALL_KEYS: ReadonlySet<string> = new Set(['script', 'keys', 'args', 'command']);

interface Prepared {
  /** EVALSHA (or the plain command) ready to send. */
  readonly args: (string | Buffer)[];
  /** The script's source, for the EVAL form sent after NOSCRIPT (script calls only). */
  readonly source?: string;
  readonly firstKey: string | Buffer | undefined;
  readonly script?: string;
  readonly command: string;
  /** Where the keys start in `args` (script calls) and how many there are; 0 when not checked again. */
  readonly keyStart?: number;
  /** The keys of a plain command (they are not a slice of `args`). */
  readonly keys?: (string | Buffer)[];
  readonly keyCount?: number;
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
  readonly #readyPromise: Promise<void>;

  constructor(
    private readonly transport: Transport,
    readonly ownsConnection: boolean,
    private readonly connecting: Promise<void>,
    private readonly commandTimeoutMs?: number,
  ) {
    this.#plainOptions = { returnBuffers: false, signal: undefined, timeoutMs: commandTimeoutMs };
    this.#bufferOptions = { returnBuffers: true, signal: undefined, timeoutMs: commandTimeoutMs };
    // A caller may await ready() long after a failed connect: hand out a promise that is already handled.
    this.#readyPromise = connecting.then(() => undefined);
    this.#readyPromise.catch(() => undefined);
    connecting.then(
      () => {
        this.#connected = true;
      },
      () => undefined,
    );
  }

  get topology() {
    return this.transport.topology;
  }

  /** The transport's error mapping (it knows its client library), node-redis' by default. */
  #mapError(err: unknown, what: { script?: string; command?: string }, abortMeansTimeout?: boolean): Error {
    return (this.transport.mapError ?? mapNodeRedisError)(err, what, abortMeansTimeout);
  }

  ready(): Promise<void> {
    return this.#readyPromise;
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
      keyStart: 3,
      keyCount,
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
    return { args, firstKey: keys[0], command, keys, keyStart: 0, keyCount: keys.length };
  }

  #prepare(call: ScriptCall | CommandCall, options: CallOptions | undefined): Prepared {
    if (!isPlainObject(call as unknown)) {
      throw new InvalidArgumentError(`a pipeline call must be { script, keys, args } or { command, keys }, got ${describeValue(call)}`, { argument: 'calls' });
    }
    for (const key in call) {
      if (!PIPELINE_CALL_KEYS.has(key)) {
        throw unknownOption(key, 'pipeline call', { accepted: 'script' in call ? ['script', 'keys', 'args'] : ['command', 'keys'] });
      }
    }
    return 'script' in call ? this.#prepareScript(call, options) : this.#prepareCommand(call, options);
  }

  #assertOpen(): void {
    if (this.#closed) throw new ConnectionClosedError('this RedisAdapter is closed (its close() was called): create a new one');
  }

  /** Refuses unknown keys and ill-typed values of per-call options (cheap: a loop over at most three keys). */
  #checkCallOptions(options: CallOptions | undefined): void {
    if (options === undefined || options === this.#lastCheckedOptions) return;
    if (!isPlainObject(options)) {
      throw new InvalidArgumentError(`call options must be a plain object, got ${describeValue(options)}`, { argument: 'options' });
    }
    for (const key in options) {
      if (!(CALL_OPTIONS as readonly string[]).includes(key)) throw unknownOption(key, 'call options', { accepted: CALL_OPTIONS });
    }
    if (options.returnBuffers !== undefined) checkBoolean(options.returnBuffers, 'returnBuffers');
    if (options.allowCrossSlot !== undefined) checkBoolean(options.allowCrossSlot, 'allowCrossSlot');
    if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
      throw new InvalidArgumentError(`signal must be an AbortSignal, got ${describeValue(options.signal)}`, { argument: 'signal' });
    }
    // Callers usually pass one constant options object: check it once.
    if (Object.isFrozen(options)) this.#lastCheckedOptions = options;
  }

  #lastCheckedOptions: CallOptions | undefined;

  #sendOptions(options: CallOptions | undefined): SendOptions {
    // The common cases share one object each: nothing to allocate per call.
    if (options === undefined || (options.signal === undefined && options.returnBuffers !== true)) return this.#plainOptions;
    if (options.signal === undefined) return this.#bufferOptions;
    return { returnBuffers: options.returnBuffers === true, signal: options.signal, timeoutMs: this.commandTimeoutMs };
  }

  #abortMeansTimeout(options: CallOptions | undefined): boolean {
    return this.transport.abortMeansTimeout(this.#sendOptions(options));
  }

  /**
   * {@link NodeRedisAdapter.#send}, and when the first connect is still under
   * way with `allowCrossSlot`, checks the slots again once the topology is
   * final (a URL may turn out to be a cluster node, where crossing slots is refused).
   */
  #sendChecked(p: Prepared, options: CallOptions | undefined): Promise<unknown> {
    if (this.#connected || options?.allowCrossSlot !== true) return this.#send(p, options);
    return this.ready().then(() => {
      if ((p.keyCount ?? 0) > 1) this.#checkSlots(p.keys ?? p.args, p.keyStart ?? 0, p.keyCount!, p.script !== undefined ? `script ${p.script}` : p.command, options);
      return this.#send(p, options);
    });
  }

  /** Sends one prepared call, EVAL after NOSCRIPT, errors mapped; waits for the first connect if it is under way. */
  #send(p: Prepared, options: CallOptions | undefined): Promise<unknown> {
    if (!this.#connected) return this.connecting.then(() => this.#send(p, options));
    const sendOptions = this.#sendOptions(options);
    this.stats.commands++;
    let sent: Promise<unknown>;
    try {
      sent = this.transport.send(p.args, p.firstKey, sendOptions);
    } catch (err) {
      return Promise.reject(this.#mapError(err, p, this.transport.abortMeansTimeout(sendOptions)));
    }
    return sent.catch((err: unknown) => {
      if (p.source === undefined || !isNoScript(err)) throw this.#mapError(err, p, this.transport.abortMeansTimeout(sendOptions));
      this.stats.noscriptFallbacks++;
      this.stats.commands++;
      return this.transport.send(evalArgs(p), p.firstKey, sendOptions).catch((err2: unknown) => {
        throw this.#mapError(err2, p, this.transport.abortMeansTimeout(sendOptions));
      });
    });
  }

  runScript<T = unknown>(script: ScriptDescriptor, input: Omit<ScriptCall, 'script'>, options?: CallOptions): Promise<T> {
    try {
      this.#assertOpen();
      this.#checkCallOptions(options);
      if (!isPlainObject(input)) {
        throw new InvalidArgumentError(`runScript takes { keys, args }, got ${describeValue(input)}`, { argument: 'input' });
      }
      for (const key in input) {
        if (key !== 'keys' && key !== 'args') throw unknownOption(key, `runScript ${script?.name ?? ''} input`, { accepted: ['keys', 'args'] });
      }
      const prepared = this.#prepareScript({ script, keys: input.keys ?? [], args: input.args }, options);
      return this.#sendChecked(prepared, options) as Promise<T>;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  command<T = unknown>(call: CommandCall, options?: CallOptions): Promise<T> {
    try {
      this.#assertOpen();
      this.#checkCallOptions(options);
      const prepared = this.#prepareCommand(call, options);
      return this.#sendChecked(prepared, options) as Promise<T>;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async pipeline(calls: readonly (ScriptCall | CommandCall)[], options?: CallOptions): Promise<unknown[]> {
    const { prepared, settled } = await this.#pipeline(calls, options);
    const failedAt = settled.findIndex((r) => r.status === 'rejected');
    if (failedAt !== -1) throw this.#mapError((settled[failedAt] as PromiseRejectedResult).reason, prepared[failedAt]!, this.#abortMeansTimeout(options));
    return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value);
  }

  async pipelineSettled(calls: readonly (ScriptCall | CommandCall)[], options?: CallOptions): Promise<SettledReply[]> {
    const { prepared, settled } = await this.#pipeline(calls, options);
    return settled.map((r, i) =>
      r.status === 'fulfilled' ? { ok: true, value: r.value } : { ok: false, error: this.#mapError(r.reason, prepared[i]!, this.#abortMeansTimeout(options)) },
    );
  }

  async #pipeline(
    calls: readonly (ScriptCall | CommandCall)[],
    options: CallOptions | undefined,
  ): Promise<{ prepared: Prepared[]; settled: PromiseSettledResult<unknown>[] }> {
    this.#assertOpen();
    this.#checkCallOptions(options);
    if (!Array.isArray(calls)) throw new InvalidArgumentError(`pipeline takes an array of calls, got ${describeValue(calls)}`, { argument: 'calls' });
    const prepared = calls.map((c) => this.#prepare(c, options));
    if (prepared.length === 0) return { prepared, settled: [] };
    if (!this.#connected) await this.connecting;
    if (options?.allowCrossSlot === true && this.transport.topology === 'cluster') {
      for (const p of prepared) if ((p.keyCount ?? 0) > 1) this.#checkSlots(p.keys ?? p.args, p.keyStart ?? 0, p.keyCount!, p.script !== undefined ? `script ${p.script}` : p.command, options);
    }
    const sendOptions = this.#sendOptions(options);
    this.stats.commands += prepared.length;
    // One batch: every call written before any reply is read (one round trip per node).
    // (A prepared call is a batch item: it has the args and the first key.)
    const settled = await this.transport.sendBatch(prepared, sendOptions);
    // Script calls the server did not know: re-send as EVAL, together and in their original order.
    let retry: { p: Prepared; i: number }[] | undefined;
    for (let i = 0; i < prepared.length; i++) {
      const p = prepared[i]!;
      const r = settled[i]!;
      if (p.source !== undefined && r.status === 'rejected' && isNoScript(r.reason)) (retry ??= []).push({ p, i });
    }
    if (retry !== undefined) {
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
      throw new InvalidArgumentError(`channel must be a non-empty string, got ${describeValue(channel)}`, { argument: 'channel' });
    }
    const payload = toWire(message, 'message');
    await this.connecting;
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
      throw new InvalidArgumentError(`channel must be a non-empty string, got ${describeValue(channel)}`, { argument: 'channel' });
    }
    if (typeof listener !== 'function') throw new InvalidArgumentError(`listener must be a function, got ${describeValue(listener)}`, { argument: 'listener' });
    checkOptions(options, 'subscribe options', { accepted: SUBSCRIBE_OPTIONS });
    if (options?.returnBuffers !== undefined) checkBoolean(options.returnBuffers, 'returnBuffers');
    const onResync = options?.onResync;
    if (onResync !== undefined && typeof onResync !== 'function') {
      throw new InvalidArgumentError('onResync must be a function', { argument: 'onResync' });
    }
    await this.connecting;
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
        throw this.#mapError(err, { command: 'SUBSCRIBE' });
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
    const o = checkOptions(options, 'scan options', { accepted: SCAN_OPTIONS });
    const count = checkInteger(o.count, 'count', { min: 1, max: 1_000_000 }, 500);
    if (o.match !== undefined && typeof o.match !== 'string') {
      throw new InvalidArgumentError(`match must be a string (a glob; escape user text with escapeGlob), got ${describeValue(o.match)}`, { argument: 'match' });
    }
    if (o.type !== undefined && typeof o.type !== 'string') {
      throw new InvalidArgumentError(`type must be a string, got ${describeValue(o.type)}`, { argument: 'type' });
    }
    const transport = this.transport;
    const ready = this.connecting;
    return {
      async *[Symbol.asyncIterator]() {
        await ready;
        try {
          yield* transport.scan(options?.match, count, options?.type);
        } catch (err) {
          throw (transport.mapError ?? mapNodeRedisError)(err, { command: 'SCAN' });
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
    await this.connecting.catch(() => undefined);
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
