import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { RunnableConfig } from '@langchain/core/runnables';
import { BaseCheckpointSaver, MemorySaver, uuid6, type Checkpoint, type CheckpointMetadata, type PendingWrite } from '@langchain/langgraph-checkpoint';
import { forEachTopology } from '@x/tooling/vitest';
import { RedisJsonPlusSerializer, type RedisSaver } from '../src/index.js';
import { expectSameReadBack } from './compare.js';
import { makeSaver, useRedis, type T } from './helpers.js';

// Property: for random sequences of put / putWrites / deleteThread with random
// channel maps, everything RedisSaver reads back (getTuple latest and by id, list
// with limit / before / filter, list across namespaces) is deep-equal to what
// MemorySaver reads back after the same calls. MemorySaver gets the same serializer,
// so the test compares what is stored, not how values are encoded; a second check
// compares the latest checkpoint's channel_values with the values put.
//
// Pending sends migrated into checkpoints older than format v4 are compared as a
// set (see compare.ts): MemorySaver keeps the order the writes were put in.
// The one input left out: a channel stamped with an old version that no put ever
// stored a value for. The upstream validation suite requires such a value to be
// dropped ("should only store channel_values that have changed"), MemorySaver keeps it.

const THREADS = ['t-1', 'thread {ü}:*?'];
const NAMESPACES = ['', 'inner:7c1e|sub'];
const TASK_IDS = ['task-a', 'task-b'];
const TASK_PATHS = ['', '~__pregel_pull, n1', '~__pregel_push, 0'];
const SPECIAL = ['__error__', '__interrupt__', '__resume__', '__scheduled__'];
const TAGS = ['red', 'blue', 7, true, null];

const key = fc.string({ unit: 'grapheme', maxLength: 6 }).filter((k) => k !== '__proto__');
const double = fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0));
const leaf = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  double,
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.uint8Array({ maxLength: 6 }),
  fc.date({ noInvalidDate: true }),
);
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    leaf,
    fc.array(fc.option(tie('value'), { nil: undefined, freq: 6 }), { maxLength: 4 }),
    fc.dictionary(key, fc.option(tie('value'), { nil: undefined, freq: 6 }), { maxKeys: 4, noNullPrototype: true }),
  ),
}));
/** Channel values: anything, also undefined, bytes and empty containers at the top. */
const channelValue = fc.oneof(value, fc.constant(undefined), fc.constant([]), fc.constant({}), fc.constant(0));
/** MemorySaver reads every write back as JSON: top-level bytes would not survive it. */
const writeValue = value.filter((v) => !(v instanceof Uint8Array));

type Mode = 'bare' | 'new' | 'new-empty' | 'old-same' | 'old-diff' | 'old-empty' | 'reuse';
const channelSpec = fc.record({
  name: fc.nat(5),
  mode: fc.constantFrom<Mode>('bare', 'new', 'new', 'new-empty', 'old-same', 'old-same', 'old-diff', 'old-empty', 'reuse'),
  value: channelValue,
  pick: fc.nat(),
});
const put = fc.record({
  kind: fc.constant('put' as const),
  thread: fc.nat(THREADS.length - 1),
  ns: fc.nat(NAMESPACES.length - 1),
  parent: fc.oneof(fc.constant(-1), fc.nat()),
  channels: fc.array(channelSpec, { maxLength: 6 }),
  v: fc.constantFrom(4, 4, 4, 1),
  tag: fc.option(fc.constantFrom(...TAGS), { nil: undefined }),
  extra: fc.option(value, { nil: undefined }),
});
const putWrites = fc.record({
  kind: fc.constant('putWrites' as const),
  thread: fc.nat(THREADS.length - 1),
  ns: fc.nat(NAMESPACES.length - 1),
  target: fc.nat(),
  task: fc.constantFrom(...TASK_IDS),
  path: fc.constantFrom(...TASK_PATHS),
  writes: fc.array(fc.tuple(fc.oneof(fc.nat(5), fc.constantFrom(...SPECIAL), fc.constant('__pregel_tasks')), writeValue), {
    minLength: 1,
    maxLength: 4,
  }),
});
const deleteThread = fc.record({ kind: fc.constant('deleteThread' as const), thread: fc.nat(THREADS.length - 1) });
const program = fc.array(fc.oneof({ weight: 6, arbitrary: put }, { weight: 4, arbitrary: putWrites }, { weight: 1, arbitrary: deleteThread }), {
  minLength: 1,
  maxLength: 18,
});
type Op = typeof program extends fc.Arbitrary<(infer U)[]> ? U : never;

interface Stored {
  id: string;
  config: RunnableConfig;
}

/**
 * Runs a program on both savers. The model tracks, per thread and namespace, the
 * checkpoints put and the channel versions a blob holds, so "old version" specs pick
 * a version some put stored a value for (for a shallow saver: one the newest
 * checkpoint still references). Returns the values of each namespace's newest put.
 */
async function run(ops: Op[], savers: [RedisSaver, MemorySaver], channels: string[], shallow: boolean) {
  const checkpoints = new Map<string, Stored[]>();
  const stored = new Map<string, Map<number, unknown>>(); // thread/ns/channel -> version -> a value put with it
  let nextVersion = 1;
  const latestValues = new Map<string, Record<string, unknown>>();
  const forget = (prefix: string) => {
    for (const m of [checkpoints, stored, latestValues]) for (const k of [...m.keys()]) if (k.startsWith(prefix)) m.delete(k);
  };
  for (const op of ops) {
    if (op.kind === 'deleteThread') {
      const thread = THREADS[op.thread]!;
      for (const s of savers) await s.deleteThread(thread);
      forget(`${thread}/`);
      continue;
    }
    const thread = THREADS[op.thread]!;
    const ns = NAMESPACES[op.ns]!;
    const at = `${thread}/${ns}`;
    const list = checkpoints.get(at) ?? [];
    if (op.kind === 'putWrites') {
      const id = list.length > 0 ? list[op.target % list.length]!.id : uuid6(-1);
      const writes = op.writes.map(([c, v]) => [typeof c === 'number' ? channels[c]! : c, v] as PendingWrite);
      const config = { configurable: { thread_id: thread, checkpoint_ns: ns, checkpoint_id: id } };
      for (const s of savers) await s.putWrites(config, writes, op.task, op.path);
      continue;
    }
    const parent = list.length === 0 ? undefined : shallow ? list.at(-1) : op.parent < 0 ? undefined : list[op.parent % list.length];
    const values: Record<string, unknown> = {};
    const versions: Record<string, number> = {};
    const newVersions: Record<string, number> = {};
    for (const spec of op.channels) {
      const name = channels[spec.name]!;
      const known = stored.get(`${at}/${name}`);
      const old = [...(known?.keys() ?? [])];
      let mode = spec.mode;
      if ((mode.startsWith('old') || mode === 'reuse') && old.length === 0) mode = 'bare';
      delete values[name];
      delete versions[name];
      delete newVersions[name];
      if (mode === 'bare') {
        values[name] = spec.value;
      } else if (mode === 'new' || mode === 'new-empty') {
        versions[name] = newVersions[name] = nextVersion++;
        if (mode === 'new') values[name] = spec.value;
      } else {
        const version = old[spec.pick % old.length]!;
        versions[name] = version;
        if (mode === 'reuse') newVersions[name] = version; // a fork re-using a version number
        if (mode === 'old-same') values[name] = known!.get(version);
        if (mode === 'old-diff' || mode === 'reuse') values[name] = spec.value;
      }
    }
    const cp: Checkpoint = {
      v: op.v,
      id: uuid6(-1),
      ts: new Date().toISOString(),
      channel_values: values,
      channel_versions: versions,
      versions_seen: { node: { ...versions } },
    };
    const metadata = {
      source: 'loop',
      step: list.length,
      parents: {},
      ...(op.tag !== undefined ? { tag: op.tag } : {}),
      extra: op.extra,
    } as CheckpointMetadata;
    const config = parent?.config ?? { configurable: { thread_id: thread, checkpoint_ns: ns } };
    const ours = await savers[0].put(config, cp, metadata, newVersions);
    const theirs = await (savers[1] as BaseCheckpointSaver).put(config, cp, metadata, newVersions);
    expect(ours).toStrictEqual(theirs);
    list.push({ id: cp.id, config: ours });
    checkpoints.set(at, list);
    latestValues.set(at, values);
    if (shallow) {
      // older checkpoints are gone with the blobs only they referenced: keep what this one references
      const kept = new Map<string, Map<number, unknown>>();
      for (const [name, version] of Object.entries(versions)) {
        if (!(name in values)) continue;
        const same = name in newVersions || stored.get(`${at}/${name}`)?.get(version) === values[name];
        if (same) kept.set(`${at}/${name}`, new Map([[version, values[name]]]));
      }
      for (const k of [...stored.keys()]) if (k.startsWith(`${at}/`)) stored.delete(k);
      for (const [k, v] of kept) stored.set(k, v);
    } else {
      for (const [name, version] of Object.entries(newVersions)) {
        if (!(name in values)) continue;
        const known = stored.get(`${at}/${name}`) ?? new Map<number, unknown>();
        if (!known.has(version)) known.set(version, values[name]);
        stored.set(`${at}/${name}`, known);
      }
    }
  }
  return latestValues;
}

forEachTopology(['standalone', 'cluster', 'sentinel'], (t) => {
  const redis = useRedis(t as T); // a sentinel-managed master connects like the others

  for (const shallow of [false, true]) {
    it(`${shallow ? 'ShallowRedisSaver' : 'RedisSaver'} reads back what MemorySaver reads back, for random call sequences`, async () => {
      await fc.assert(
        fc.asyncProperty(program, fc.uniqueArray(key.filter((k) => k.length > 0), { minLength: 6, maxLength: 6 }), async (ops, names) => {
          const channels = names.map((n, i) => (i === 0 ? '__pregel_tasks' : n));
          const ours = makeSaver(redis.client(), {}, shallow);
          const memory = new MemorySaver(new RedisJsonPlusSerializer());
          const steps = shallow ? ops.filter((o) => o.kind !== 'put' || o.v === 4) : ops;
          const latest = await run(steps, [ours, memory], channels, shallow);
          if (shallow) {
            // only the newest checkpoint of each namespace: compare those
            for (const thread of THREADS) {
              for (const ns of NAMESPACES) {
                const config = { configurable: { thread_id: thread, checkpoint_ns: ns } };
                expect(await ours.getTuple(config)).toStrictEqual(await memory.getTuple(config));
              }
            }
          } else {
            await expectSameReadBack(ours, memory, THREADS, NAMESPACES, TAGS.map((tag) => ({ tag })));
          }
          // and the newest values are the values put (v4 checkpoints: no pending-send migration)
          for (const [at, values] of latest) {
            const [thread, ns] = [at.slice(0, at.indexOf('/')), at.slice(at.indexOf('/') + 1)];
            const tuple = await ours.getTuple({ configurable: { thread_id: thread, checkpoint_ns: ns } });
            if (tuple?.checkpoint.v === 4) expect(tuple.checkpoint.channel_values).toStrictEqual(values);
          }
          await ours.deleteThread(THREADS[0]!);
          await ours.deleteThread(THREADS[1]!);
        }),
        // FC_SEED / FC_PATH replay a failure fast-check printed
        { numRuns: 40, ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH } : {}) },
      );
    }, 120_000);
  }
});
