import { cpSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, expect, it } from 'vitest';
import type { RunnableConfig } from '@langchain/core/runnables';
import { DeltaSnapshot, JsonPlusSerializer, MemorySaver, isDeltaSnapshot, uuid6, type Checkpoint } from '@langchain/langgraph-checkpoint';
import { forEachTopology } from '@x/tooling/vitest';
import { RedisJsonPlusSerializer } from '../src/index.js';
import { meta } from './fixtures.js';
import { makeSaver, useRedis } from './helpers.js';

// An app may load another copy of @langchain/langgraph-checkpoint than the saver:
// its own install, or the CJS build while the saver got the ESM one (Node keeps
// them as distinct modules: distinct classes). Values of the app's copy, such as
// DeltaSnapshot, must be recognised by brand, not by `instanceof`.

type SnapshotClass = new (value: unknown) => { value: unknown };
const require = createRequire(import.meta.url);
const copies: Record<string, SnapshotClass> = {};

beforeAll(async () => {
  // 1. the CJS build of the same install
  copies['CJS build'] = require('@langchain/langgraph-checkpoint').DeltaSnapshot;
  // 2. a second install of the package in a directory of its own
  const pkg = dirname(require.resolve('@langchain/langgraph-checkpoint/package.json'));
  const dir = mkdtempSync(join(tmpdir(), 'second-copy-'));
  const target = join(dir, 'node_modules', '@langchain', 'langgraph-checkpoint');
  cpSync(pkg, target, { recursive: true, dereference: true });
  copies['second install'] = ((await import(pathToFileURL(join(target, 'dist', 'serde', 'types.js')).href)) as { DeltaSnapshot: SnapshotClass }).DeltaSnapshot;
});

it('the copies really are distinct classes', () => {
  for (const Snapshot of Object.values(copies)) {
    expect(Snapshot).not.toBe(DeltaSnapshot);
    expect(new Snapshot(1)).not.toBeInstanceOf(DeltaSnapshot);
    expect(isDeltaSnapshot(new Snapshot(1))).toBe(true);
  }
});

it('RedisJsonPlusSerializer writes a snapshot of any copy as LangGraph writes its own, Dates inside too', async () => {
  const serde = new RedisJsonPlusSerializer();
  const upstream = new JsonPlusSerializer();
  for (const Snapshot of Object.values(copies)) {
    const value = { list: [new Snapshot(['a', 'b'])], nested: new Snapshot({ at: 1 }) };
    const local = { list: [new DeltaSnapshot(['a', 'b'])], nested: new DeltaSnapshot({ at: 1 }) };
    expect(Buffer.from((await serde.dumpsTyped(value))[1]).toString()).toBe(Buffer.from((await upstream.dumpsTyped(local))[1]).toString());
    const [type, bytes] = await serde.dumpsTyped(new Snapshot({ when: new Date(7) }));
    const back = await serde.loadsTyped(type, bytes);
    expect(back).toBeInstanceOf(DeltaSnapshot);
    expect(back).toStrictEqual(new DeltaSnapshot({ when: new Date(7) }));
  }
});

forEachTopology(['standalone', 'cluster'], (t) => {
  const redis = useRedis(t);

  it('a snapshot from the app’s copy is stored and read back as a DeltaSnapshot, and seeds the delta walk', async () => {
    for (const [name, Snapshot] of Object.entries(copies)) {
      const saver = makeSaver(redis.client());
      const memory = new MemorySaver(new RedisJsonPlusSerializer());
      const thread = `two-copies ${name}`;
      const put = async (config: RunnableConfig, values: Record<string, unknown>, versions: Record<string, number>, step: number) => {
        const cp: Checkpoint = { v: 4, id: uuid6(-1), ts: '', channel_values: values, channel_versions: versions, versions_seen: {} };
        const ours = await saver.put(config, cp, meta(step), versions);
        await memory.put(config, cp, meta(step));
        return ours;
      };
      const c1 = await put({ configurable: { thread_id: thread, checkpoint_ns: '' } }, { log: new Snapshot(['seed']) }, { log: 1 }, 0);
      await saver.putWrites(c1, [['log', ['w1']]], 'task');
      await memory.putWrites(c1, [['log', ['w1']]], 'task');
      const c2 = await put(c1, {}, { log: 2 }, 1);
      const tuple = await saver.getTuple(c1);
      expect(tuple?.checkpoint.channel_values.log).toBeInstanceOf(DeltaSnapshot);
      expect(tuple?.checkpoint.channel_values.log).toStrictEqual(new DeltaSnapshot(['seed']));
      const history = await saver.getDeltaChannelHistory({ config: c2, channels: ['log'] });
      expect(history.log?.seed).toStrictEqual(new DeltaSnapshot(['seed']));
      expect(history).toStrictEqual({ log: { seed: new DeltaSnapshot(['seed']), writes: [['task', 'log', ['w1']]] } });
    }
  });
});
