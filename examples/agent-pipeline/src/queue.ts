import { defineScript } from '@x/lua-scripts';
import { Keyspace, type RedisAdapter } from '@x/redis-adapter';

/**
 * The demo's own bookkeeping: which conversations are still pending, who
 * completed them, and the fencing token of every unit of work (the invariant
 * checks read these back from Redis).
 */
export interface WorkQueue {
  init(ids: readonly string[]): Promise<void>;
  pending(): Promise<string[]>;
  /**
   * Records that the holder of `token` works on `id` now. False when a holder
   * with a larger token already wrote: this holder lost its lock and must stop.
   */
  recordToken(id: string, token: number, worker: string): Promise<boolean>;
  /**
   * Marks `id` completed by the holder of `token` (once per holder: a retried call
   * of the same holder counts once; the invariant check wants exactly one in all).
   * False, and nothing written, when a holder with a larger token has worked on `id`
   * since: this holder lost its lock (paused past its lease) and must not complete it.
   */
  complete(id: string, token: number): Promise<boolean>;
  tokens(id: string): Promise<number[]>;
  completions(): Promise<Map<string, number>>;
}

// An application script of the demo's own, built at run time with defineScript.
const completeScript = defineScript({
  name: 'demo/complete',
  // Once per holder: a retry of the same holder's call after a lost reply (same token) counts nothing again.
  // Fenced: a holder whose token is not the conversation's last logged one is refused (0).
  source: [
    "local last = redis.call('LINDEX', KEYS[4], -1)",
    "if not last or tonumber(last) ~= tonumber(ARGV[2]) then return 0 end",
    "if redis.call('SADD', KEYS[3], ARGV[1] .. '#' .. ARGV[2]) == 0 then return 1 end",
    "redis.call('ZREM', KEYS[1], ARGV[1])",
    "redis.call('HINCRBY', KEYS[2], ARGV[1], 1)",
    'return 1',
  ].join('\n'),
  keys: ['pending', 'completions', 'completedBy', 'log'],
  args: ['id', 'token'],
});

// Appends a fencing token to a conversation's log only if it is larger than every token
// logged before: a holder that lost its lock (paused past its lease) is refused.
const fencedLogScript = defineScript({
  name: 'demo/fenced-log',
  source: [
    "local last = redis.call('LINDEX', KEYS[1], -1)",
    // The same holder again (a retry after a lost reply) is still the holder.
    "if last and tonumber(last) == tonumber(ARGV[1]) then return 1 end",
    "if last and tonumber(last) > tonumber(ARGV[1]) then return 0 end",
    "redis.call('RPUSH', KEYS[1], ARGV[1])",
    "redis.call('HSET', KEYS[2], 'token', ARGV[1], 'worker', ARGV[2])",
    'return 1',
  ].join('\n'),
  keys: ['log', 'holder'],
  args: ['token', 'worker'],
});

/**
 * The work queue on Redis: a ZSET of pending ids, a hash of completions and every
 * conversation's token log, all under one hash tag, so that completing is fenced by the
 * token log in one script on a cluster too (the demo's bookkeeping, a few keys per run).
 */
export class RedisWorkQueue implements WorkQueue {
  readonly #ks: Keyspace;

  constructor(
    private readonly redis: RedisAdapter,
    prefix: string,
  ) {
    this.#ks = new Keyspace(prefix);
  }

  get #pendingKey() {
    return this.#ks.sharedKey('pending');
  }
  get #completionsKey() {
    return this.#ks.sharedKey('completions');
  }

  async init(ids: readonly string[]): Promise<void> {
    const chunk = 500;
    for (let i = 0; i < ids.length; i += chunk) {
      const part = ids.slice(i, i + chunk);
      await this.redis.command({
        command: ['ZADD', this.#pendingKey, ...part.flatMap((id, j) => [String(i + j), id])],
        keys: [this.#pendingKey],
      });
    }
  }

  async pending(): Promise<string[]> {
    return (await this.redis.command({ command: ['ZRANGE', this.#pendingKey, 0, -1], keys: [this.#pendingKey] })) as string[];
  }

  #logKey(id: string) {
    return this.#ks.sharedKey(`tokens:${id}`);
  }

  async recordToken(id: string, token: number, worker: string): Promise<boolean> {
    const log = this.#logKey(id);
    const holder = this.#ks.sharedKey(`holder:${id}`);
    return (await this.redis.runScript(fencedLogScript, { keys: [log, holder], args: [token, worker] })) === 1;
  }

  async complete(id: string, token: number): Promise<boolean> {
    const keys = [this.#pendingKey, this.#completionsKey, this.#ks.sharedKey('completed-by'), this.#logKey(id)];
    return (await this.redis.runScript(completeScript, { keys, args: [id, token] })) === 1;
  }

  async tokens(id: string): Promise<number[]> {
    const log = this.#logKey(id);
    return ((await this.redis.command({ command: ['LRANGE', log, 0, -1], keys: [log] })) as string[]).map(Number);
  }

  async completions(): Promise<Map<string, number>> {
    const flat = (await this.redis.command({ command: ['HGETALL', this.#completionsKey], keys: [this.#completionsKey] })) as
      | Record<string, string>
      | string[];
    const entries: [string, number][] = Array.isArray(flat)
      ? Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i]!, Number(flat[2 * i + 1])])
      : Object.entries(flat).map(([k, v]) => [k, Number(v)]);
    return new Map(entries);
  }
}

/** The same queue in one process (memory mode). */
export class InProcessWorkQueue implements WorkQueue {
  #pending = new Set<string>();
  #tokens = new Map<string, number[]>();
  #completions = new Map<string, number>();

  async init(ids: readonly string[]) {
    ids.forEach((id) => this.#pending.add(id));
  }
  async pending() {
    return [...this.#pending];
  }
  async recordToken(id: string, token: number) {
    const list = this.#tokens.get(id) ?? [];
    if (list.length > 0 && list.at(-1)! >= token) return false;
    list.push(token);
    this.#tokens.set(id, list);
    return true;
  }
  async complete(id: string, token: number) {
    if (this.#tokens.get(id)?.at(-1) !== token) return false;
    this.#pending.delete(id);
    this.#completions.set(id, (this.#completions.get(id) ?? 0) + 1);
    return true;
  }
  async tokens(id: string) {
    return [...(this.#tokens.get(id) ?? [])];
  }
  async completions() {
    return new Map(this.#completions);
  }
}
