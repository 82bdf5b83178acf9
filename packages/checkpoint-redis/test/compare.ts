import { expect } from 'vitest';
import type { RunnableConfig } from '@langchain/core/runnables';
import { TASKS, type BaseCheckpointSaver, type CheckpointListOptions, type CheckpointTuple } from '@langchain/langgraph-checkpoint';
import { toArray } from './fixtures.js';

/**
 * Everything a caller can read back from a saver about the given threads: the
 * latest tuple of each namespace, every checkpoint by id, `list` per namespace
 * (plain, with limit, with before, with metadata filters) and `list` across
 * namespaces. Raw tuples, nothing normalized.
 */
export async function readBack(
  saver: BaseCheckpointSaver,
  threads: readonly string[],
  namespaces: readonly string[],
  filters: Record<string, unknown>[] = [],
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const thread of threads) {
    for (const ns of namespaces) {
      const at = `${thread}/${ns}`;
      const base: RunnableConfig = { configurable: { thread_id: thread, checkpoint_ns: ns } };
      out[`${at} latest`] = await saver.getTuple(base);
      const all = await toArray(saver.list(base));
      out[`${at} list`] = all;
      for (const tuple of all) {
        const id = tuple.checkpoint.id;
        out[`${at} get ${id}`] = await saver.getTuple({ configurable: { thread_id: thread, checkpoint_ns: ns, checkpoint_id: id } });
      }
      const lists: [string, CheckpointListOptions][] = [
        ['limit 1', { limit: 1 }],
        ['limit 3', { limit: 3 }],
      ];
      if (all.length > 1) lists.push(['before', { before: all[Math.floor(all.length / 2)]!.config, limit: 2 }]);
      for (const filter of filters) lists.push([`filter ${JSON.stringify(filter)}`, { filter }]);
      for (const [name, options] of lists) out[`${at} list ${name}`] = await toArray(saver.list(base, options));
    }
    // across namespaces: MemorySaver goes namespace by namespace, Redis by id over all of
    // them; the same set either way
    out[`${thread} all namespaces`] = sortTuples(await toArray(saver.list({ configurable: { thread_id: thread } })));
  }
  return out;
}

/**
 * Pending sends of a checkpoint older than format v4 are migrated from its
 * parent's `__pregel_tasks` writes: MemorySaver lists them in the order they were
 * put, Redis in (taskPath, taskId, idx) order (the put order is not stored). The
 * same sends either way: compare them sorted.
 */
function legacySendsSorted(read: Record<string, unknown>): Record<string, unknown> {
  const fix = (tuple: unknown) => {
    const cp = (tuple as CheckpointTuple | undefined)?.checkpoint;
    const sends = cp?.channel_values?.[TASKS];
    if (cp && cp.v < 4 && Array.isArray(sends)) {
      sends.sort((x, y) => (stable(x) < stable(y) ? -1 : stable(x) > stable(y) ? 1 : 0));
    }
  };
  for (const value of Object.values(read)) {
    if (Array.isArray(value)) value.forEach(fix);
    else fix(value);
  }
  return read;
}

function stable(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v === undefined ? '<undefined>' : v instanceof Date ? `<date ${v.getTime()}>` : v)) ?? '<undefined>';
}

/** Tuples in (namespace, id) order. */
export function sortTuples(tuples: CheckpointTuple[]): CheckpointTuple[] {
  const key = (t: CheckpointTuple) => `${t.config.configurable?.checkpoint_ns}\u0000${t.checkpoint.id}`;
  return [...tuples].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Reads both savers back and expects them deep-equal (strict: undefined members, classes). */
export async function expectSameReadBack(
  ours: BaseCheckpointSaver,
  theirs: BaseCheckpointSaver,
  threads: readonly string[],
  namespaces: readonly string[],
  filters: Record<string, unknown>[] = [],
): Promise<Record<string, unknown>> {
  const a = legacySendsSorted(await readBack(ours, threads, namespaces, filters));
  const b = legacySendsSorted(await readBack(theirs, threads, namespaces, filters));
  expect(a).toStrictEqual(b);
  return a;
}
