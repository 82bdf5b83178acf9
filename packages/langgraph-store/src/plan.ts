import type { Item, MatchCondition, SearchItem } from '@langchain/langgraph-checkpoint';
import { pipelineDurably, type CommandCall, type RedisAdapter, type ResolvedDurability, type ScriptCall } from '@x/redis-adapter';
import { store as scripts } from '@x/lua-scripts';
import { CorruptStoreError, SearchScanLimitError } from './errors.js';
import { StoreKeys, decodeNamespace, encodeNamespace } from './keys.js';
import { literalPrefix, pageNamespaces, shardMayMatch } from './namespaces.js';
import { cosine, unpackVectors } from './vectors.js';

/** A checked search, ready to plan. */
export interface SearchSpec {
  prefix: string[];
  filter: string;
  offset: number;
  limit: number;
  refresh: boolean;
  /** The embedded query when the store has an index and the search a query. */
  queryVector: number[] | undefined;
}

/** A checked put, ready to plan (`json` '' deletes). */
export interface PutSpec {
  namespace: string[];
  key: string;
  json: string;
  ttlMs: number;
  vectors: string;
}

/** A checked namespace listing. */
export interface ListSpec {
  conditions: MatchCondition[];
  maxDepth: number | undefined;
  limit: number | undefined;
  offset: number;
}

/** Limits a plan needs from the store's settings. */
export interface PlanLimits {
  purgeBudget: number;
  searchScanLimit: number;
  maxCandidates: number;
  dims: number;
  /** Confirm the puts on replicas (`WAIT` behind each shard's script). */
  durability: ResolvedDurability | undefined;
}

interface Row {
  member: string;
  namespace: string[];
  key: string;
  value: string;
  created: string;
  updated: string;
  vectors: string;
}

interface ShardCall {
  readonly id: string;
  readonly args: (string | number)[];
  readonly onReply: ((reply: unknown) => void)[];
  writes: boolean;
  /** The call holds a put (a write or a delete). */
  puts: boolean;
}

interface Lookup {
  readonly prefix: string;
  readonly onShards: (ids: string[]) => void;
}

function toItem(namespace: string[], key: string, value: string, created: string, updated: string): Item {
  let parsed: Record<string, any>;
  try {
    parsed = JSON.parse(value) as Record<string, any>;
  } catch (err) {
    throw new CorruptStoreError(`the value of ${JSON.stringify(key)} is not JSON`, { cause: err });
  }
  return { value: parsed, key, namespace, createdAt: new Date(Number(created)), updatedAt: new Date(Number(updated)) };
}

/** The namespace and key inside an order member (`ns \0 seq16 \0 key`). */
function splitMember(member: string): { namespace: string[]; key: string } {
  const cut = member.indexOf('\0');
  return { namespace: decodeNamespace(member.slice(0, cut)), key: member.slice(cut + 18) };
}

/**
 * One batch turned into calls: one `store/batch.lua` per shard touched (reads
 * first, then puts), preceded by one registry read when a search or listing
 * spans shards; a batch with filtered searches and puts sends its reads first (see
 * {@link BatchPlan.run}). Results are filled in op order.
 */
export class BatchPlan {
  readonly results: unknown[];
  readonly #keys: StoreKeys;
  readonly #limits: PlanLimits;
  readonly #shards = new Map<string, ShardCall>();
  readonly #lookups: Lookup[] = [];
  readonly #finish: (() => void)[] = [];
  readonly #puts = new Map<string, PutSpec>();
  /** Filtered searches: they scan, and may stop at `searchScanLimit`. */
  #filtered = 0;

  constructor(keys: StoreKeys, limits: PlanLimits, size: number) {
    this.#keys = keys;
    this.#limits = limits;
    this.results = Array.from({ length: size }, () => null);
  }

  #shard(id: string): ShardCall {
    let call = this.#shards.get(id);
    if (call === undefined) {
      call = { id, args: [this.#limits.purgeBudget], onReply: [], writes: false, puts: false };
      this.#shards.set(id, call);
    }
    return call;
  }

  get(i: number, namespace: string[], key: string, refresh: boolean): void {
    const call = this.#shard(this.#keys.shardOf(namespace));
    call.args.push('G', encodeNamespace(namespace), key, refresh ? '1' : '0');
    call.onReply.push((reply) => {
      const r = reply as string[];
      this.results[i] = r.length === 0 ? null : toItem(namespace, key, r[0]!, r[1]!, r[2]!);
    });
  }

  search(i: number, s: SearchSpec): void {
    if (s.filter !== '') this.#filtered++;
    const ranked = s.queryVector !== undefined;
    const single = s.prefix.length >= this.#keys.shardDepth;
    const rows: Row[] = [];
    const add = (shardId: string, range: string): void => {
      const call = this.#shard(shardId);
      const [offset, limit] = ranked ? [0, this.#limits.maxCandidates] : single ? [s.offset, s.limit] : [0, s.offset + s.limit];
      call.args.push('S', range, s.filter, offset, limit, this.#limits.searchScanLimit, s.refresh ? '1' : '0', ranked ? '1' : '0');
      call.onReply.push((reply) => {
        const r = reply as (string | number)[];
        if (Number(r[0]) !== 1) throw new SearchScanLimitError(this.#limits.searchScanLimit);
        for (let at = 1; at + 4 < r.length; at += 5) {
          const member = String(r[at]);
          rows.push({ member, ...splitMember(member), value: String(r[at + 1]), created: String(r[at + 2]), updated: String(r[at + 3]), vectors: String(r[at + 4]) });
        }
      });
    };
    const enc = encodeNamespace(s.prefix);
    if (single) add(this.#keys.shardOf(s.prefix), enc);
    else this.#lookups.push({ prefix: enc, onShards: (ids) => ids.forEach((id) => add(id, '')) });
    this.#finish.push(() => {
      if (!single) rows.sort((a, b) => (a.member < b.member ? -1 : a.member > b.member ? 1 : 0));
      if (ranked) this.results[i] = this.#rank(rows.slice(0, this.#limits.maxCandidates), s);
      else {
        const page = single ? rows : rows.slice(s.offset, s.offset + s.limit);
        this.results[i] = page.map((row) => this.#searchItem(row, undefined));
      }
    });
  }

  #searchItem(row: Row, score: number | undefined): SearchItem {
    return { ...toItem(row.namespace, row.key, row.value, row.created, row.updated), score };
  }

  /** `InMemoryStore`'s ranking: best vector per item, then items without vectors to fill the page. */
  #rank(rows: Row[], s: SearchSpec): SearchItem[] {
    const scored: [number, Row][] = [];
    const scoreless: Row[] = [];
    for (const row of rows) {
      const vectors = unpackVectors(row.vectors, this.#limits.dims);
      if (vectors.length === 0) scoreless.push(row);
      for (const v of vectors) scored.push([cosine(s.queryVector!, v), row]);
    }
    scored.sort((a, b) => b[0] - a[0]);
    const seen = new Set<string>();
    const kept: [number | undefined, Row][] = [];
    for (const [score, row] of scored) {
      if (seen.has(row.member)) continue;
      const ix = seen.size;
      if (ix >= s.offset + s.limit) break;
      seen.add(row.member);
      if (ix >= s.offset) kept.push([score, row]);
    }
    if (kept.length < s.limit) for (const row of scoreless.slice(0, s.limit - kept.length)) kept.push([undefined, row]);
    return kept.map(([score, row]) => this.#searchItem(row, score));
  }

  list(i: number, l: ListSpec): void {
    const found: string[][] = [];
    const add = (shardId: string, range: string): void => {
      const call = this.#shard(shardId);
      call.args.push('L', range);
      call.onReply.push((reply) => {
        for (const ns of reply as string[]) found.push(decodeNamespace(ns));
      });
    };
    const prefix = l.conditions.find((c) => c.matchType === 'prefix')?.path ?? [];
    const literal = literalPrefix(prefix);
    if (literal.length >= this.#keys.shardDepth) add(this.#keys.shardOf(literal), encodeNamespace(literal));
    else {
      this.#lookups.push({
        prefix: encodeNamespace(literal),
        onShards: (ids) => ids.filter((id) => shardMayMatch(prefix, decodeNamespace(id))).forEach((id) => add(id, '')),
      });
    }
    this.#finish.push(() => {
      this.results[i] = pageNamespaces(found, l.conditions, l.maxDepth, l.limit, l.offset);
    });
  }

  /** Adds a put; a later put of the same namespace and key replaces it (in its place). */
  put(p: PutSpec): void {
    this.#puts.set(`${encodeNamespace(p.namespace)}\0${p.key}`, p);
  }

  /**
   * Sends the calls and fills {@link BatchPlan.results}: one round trip, plus one for a registry
   * read, plus one when the batch mixes filtered searches with puts: then the reads go first and
   * the puts only once every search has answered within `searchScanLimit`, so a search that fails
   * leaves the batch unwritten (in one call per shard, a put on another shard could not wait for it).
   */
  async run(redis: RedisAdapter): Promise<unknown[]> {
    const registry = this.#keys.registry;
    if (this.#lookups.length > 0) {
      const reads: CommandCall[] = this.#lookups.map(({ prefix }) => ({
        command: prefix === '' ? ['ZRANGEBYLEX', registry, '-', '+'] : ['ZRANGEBYLEX', registry, `[${prefix}`, `(${prefix}/`],
        keys: [registry],
      }));
      const replies = (await redis.pipeline(reads)) as string[][];
      this.#lookups.forEach(({ prefix, onShards }, i) => {
        onShards(replies[i]!.filter((id) => prefix === '' || id === prefix || id.startsWith(`${prefix}.`)));
      });
    }
    if (this.#filtered > 0 && this.#puts.size > 0) {
      await this.#send(redis);
      this.#shards.clear();
    }
    for (const p of this.#puts.values()) {
      const call = this.#shard(this.#keys.shardOf(p.namespace));
      call.args.push('P', encodeNamespace(p.namespace), p.key, p.json, p.ttlMs, p.vectors);
      call.onReply.push(() => undefined);
      call.puts = true;
      if (p.json !== '') call.writes = true;
    }
    await this.#send(redis);
    for (const finish of this.#finish) finish();
    return this.results;
  }

  /** One round trip: the script of every shard with operations, and the registry entries of the shards written. */
  async #send(redis: RedisAdapter): Promise<void> {
    const registry = this.#keys.registry;
    const order = [...this.#shards.values()].filter((c) => c.onReply.length > 0);
    const calls: (ScriptCall | CommandCall)[] = order.map((c) => ({ script: scripts.batch, keys: this.#keys.shard(c.id), args: c.args }));
    const written = order.filter((c) => c.writes).flatMap((c) => ['0', c.id]);
    if (written.length > 0) calls.push({ command: ['ZADD', registry, ...written], keys: [registry] });
    if (calls.length === 0) return;
    const durability = this.#limits.durability;
    // With durability: a WAIT behind every shard put to, and behind the registry entries.
    const routes = durability === undefined ? [] : order.filter((c) => c.puts).map((c) => this.#keys.shard(c.id)[0]!);
    if (routes.length > 0 && written.length > 0) routes.push(registry);
    const replies = routes.length === 0 ? await redis.pipeline(calls) : await pipelineDurably(redis, calls, routes, durability!);
    order.forEach((c, i) => {
      const perOp = replies[i] as unknown[];
      c.onReply.forEach((handle, j) => handle(perOp[j]));
    });
  }
}
