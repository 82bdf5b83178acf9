import type { ScriptDescriptor } from '@x/lua-scripts';
import { InvalidArgumentError, RedisPrimitiveError } from './errors.js';
import type { CallOptions, CommandCall, RedisAdapter, RedisArg, ScriptCall } from './port.js';
import { checkBoolean, checkInteger } from './validate/numbers.js';
import { checkOptions } from './validate/options.js';

/**
 * Ask Redis to confirm a write on replicas (and on disk) before it counts as
 * done. Redis replicates asynchronously: without this, a write acknowledged by
 * a master that fails before its replicas received it is lost in the failover.
 */
export interface DurabilityOptions {
  /** Replicas that must have received the write (`WAIT numreplicas`); at least 1. */
  readonly replicas: number;
  /** How long to wait for them, in ms (`WAIT ... timeout`; default 1000, at least 1: 0 would wait forever). */
  readonly timeoutMs?: number;
  /**
   * Also require the write to be fsynced to the master's append-only file
   * (`WAITAOF 1 0 timeout`). Needs Redis 7.2+ with `appendonly yes`; on an
   * older server the call fails with `CommandError` (unknown command).
   */
  readonly aof?: boolean;
}

/** The keys {@link DurabilityOptions} accepts. */
export const DURABILITY_OPTIONS = ['replicas', 'timeoutMs', 'aof'] as const;

/** Checked {@link DurabilityOptions} with defaults filled in. */
export type ResolvedDurability = Required<DurabilityOptions>;

/** Checks a `durability` option; `undefined` is none. */
export function checkDurability(value: unknown, argument = 'durability'): ResolvedDurability | undefined {
  if (value === undefined) return undefined;
  const o = checkOptions(value as DurabilityOptions, `${argument} options`, { accepted: DURABILITY_OPTIONS });
  if (o.replicas === undefined) throw new InvalidArgumentError(`${argument}.replicas is required`, { argument: `${argument}.replicas` });
  return {
    replicas: checkInteger(o.replicas, `${argument}.replicas`, { min: 1, max: 1000 }),
    timeoutMs: checkInteger(o.timeoutMs, `${argument}.timeoutMs`, { min: 1, max: 3_600_000 }, 1000),
    aof: checkBoolean(o.aof, `${argument}.aof`, false),
  };
}

/**
 * The write was applied on the master, but fewer replicas (or no fsync)
 * confirmed it within the timeout: it may be lost if the master fails now.
 * Code `ERR_DURABILITY`. `retryable` (a retry may well be confirmed), but the
 * write was applied: retry only calls that carry an operation id (the retry
 * returns the first result and waits again); without one a retry writes twice.
 */
export class DurabilityError extends RedisPrimitiveError {
  /** Retryable: the replicas may confirm a retry. Safe only with an operation id. */
  override readonly retryable: boolean = true;
  /** Replicas asked for. */
  readonly requested: number;
  /** Replicas that confirmed. */
  readonly acknowledged: number;
  /** Whether the master's AOF fsync was asked for and confirmed (`undefined` when not asked). */
  readonly aofSynced: boolean | undefined;

  constructor(requested: number, acknowledged: number, timeoutMs: number, aofSynced?: boolean) {
    const disk = aofSynced === false ? ', and the append-only file was not fsynced' : '';
    super(
      'ERR_DURABILITY',
      `the write was applied but only ${acknowledged} of ${requested} replica(s) confirmed it within ${timeoutMs} ms${disk}; it may be lost in a failover`,
    );
    this.requested = requested;
    this.acknowledged = acknowledged;
    this.aofSynced = aofSynced;
  }
}

/**
 * Runs a write script and, in the same round trip (pipelined on the same
 * connection, behind the script), `WAIT` (and `WAITAOF`) for its replicas.
 * Resolves to the script's reply once the replicas confirmed; rejects with
 * {@link DurabilityError} when they did not in time (the write was applied).
 * If the script had to be re-sent after `NOSCRIPT`, the wait is repeated
 * behind it, so a confirmation always covers the write.
 */
export async function runScriptDurably<T = unknown>(
  adapter: RedisAdapter,
  script: ScriptDescriptor,
  input: Omit<ScriptCall, 'script'>,
  durability: ResolvedDurability,
  options?: CallOptions,
): Promise<T> {
  const [reply] = await pipelineDurably(adapter, [{ script, ...input }], [routingKey(input.keys)], durability, options);
  return reply as T;
}

/**
 * Sends a pipeline of writes and, behind them in the same round trip, `WAIT`
 * (and `WAITAOF`) routed by each key of `routes` (one key per node or slot
 * written: a WAIT covers every earlier write of its connection). Resolves to
 * the writes' replies once every WAIT got `durability.replicas`
 * confirmations; rejects with the first failed write's error, or with
 * {@link DurabilityError} (the fewest confirmations) when a WAIT fell short.
 * After a `NOSCRIPT` fallback the waits are repeated, as in
 * {@link runScriptDurably}.
 */
export async function pipelineDurably(
  adapter: RedisAdapter,
  calls: readonly (ScriptCall | CommandCall)[],
  routes: readonly RedisArg[],
  durability: ResolvedDurability,
  options?: CallOptions,
): Promise<unknown[]> {
  const waits = routes.flatMap((route) => waitCommands(durability, route));
  const fallbacks = adapter.stats.noscriptFallbacks;
  const settled = await adapter.pipelineSettled([...calls, ...waits], options);
  const written = settled.slice(0, calls.length).map((s) => {
    if (!s.ok) throw s.error;
    return s.value;
  });
  let confirmations: unknown[];
  try {
    confirmations = settled.slice(calls.length).map((s) => {
      if (!s.ok) throw s.error;
      return s.value;
    });
    // A NOSCRIPT fallback (of this or a concurrent call) may have re-sent a script after its WAIT.
    if (adapter.stats.noscriptFallbacks !== fallbacks) confirmations = await adapter.pipeline(waits, options);
  } catch (error) {
    // The writes went through but a WAIT met a node that is no longer (or not yet) the master
    // of the slot: nothing confirmed them.
    if (isUnconfirmed(error)) throw new DurabilityError(durability.replicas, 0, durability.timeoutMs);
    throw error;
  }
  const per = durability.aof ? 2 : 1;
  let replicas = Infinity;
  let aofSynced: boolean | undefined = durability.aof ? true : undefined;
  for (let i = 0; i < confirmations.length; i += per) {
    replicas = Math.min(replicas, Number(confirmations[i]));
    if (durability.aof && !(Number((confirmations[i + 1] as unknown[] | undefined)?.[0]) >= 1)) aofSynced = false;
  }
  if (replicas < durability.replicas || aofSynced === false) {
    throw new DurabilityError(durability.replicas, replicas === Infinity ? 0 : replicas, durability.timeoutMs, aofSynced);
  }
  return written;
}

/** A WAIT refused by a demoted master, or released by its demotion, or redirected in a failover. */
function isUnconfirmed(error: unknown): boolean {
  const message = (error as { redisMessage?: unknown }).redisMessage;
  return typeof message === 'string' && /^(ERR WAIT cannot be used with replica|UNBLOCKED|MOVED|ASK|CLUSTERDOWN|READONLY)/.test(message);
}

function waitCommands(d: ResolvedDurability, key: RedisArg): { command: RedisArg[]; keys: RedisArg[] }[] {
  const waits = [{ command: ['WAIT', d.replicas, d.timeoutMs] as RedisArg[], keys: [key] }];
  if (d.aof) waits.push({ command: ['WAITAOF', 1, 0, d.timeoutMs], keys: [key] });
  return waits;
}

/** The first key of a call: WAIT must go to the node (and connection) that took the write. */
function routingKey(keys: ScriptCall['keys']): RedisArg {
  const first = Array.isArray(keys) ? keys[0] : Object.values(keys as Record<string, RedisArg | readonly RedisArg[]>).flat()[0];
  if (first === undefined) throw new InvalidArgumentError('a durable write needs at least one key (it routes the WAIT)', { argument: 'keys' });
  return first as RedisArg;
}
