import { expect, it } from 'vitest';
import type { RunnableConfig } from '@langchain/core/runnables';
import { BaseCheckpointSaver, DeltaSnapshot, MemorySaver, uuid6, type Checkpoint } from '@langchain/langgraph-checkpoint';
import { forEachTopology } from '@x/tooling/vitest';
import type { RedisSaver } from '../src/index.js';
import { meta } from './fixtures.js';
import { makeSaver, useRedis } from './helpers.js';

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const CHANNELS = ['a', 'b', 'c'];

interface Node {
  config: RunnableConfig;
  versions: Record<string, number>;
  values: Record<string, unknown>;
}

/**
 * Puts the same random history (forks, snapshots, plain seeds, channels without a
 * stored value, concurrent writes with task paths) into both savers.
 */
async function buildHistory(savers: (RedisSaver | MemorySaver)[], thread: string, ns: string, steps: number, seed: number) {
  const rand = rng(seed);
  const nodes: Node[] = [];
  let parent: Node = { config: { configurable: { thread_id: thread, checkpoint_ns: ns } }, versions: {}, values: {} };
  for (let s = 0; s < steps; s++) {
    if (nodes.length > 2 && rand() < 0.15) parent = nodes[Math.floor(rand() * nodes.length)]!;
    const versions = { ...parent.versions };
    const values = { ...parent.values };
    const newVersions: Record<string, number> = {};
    for (const ch of CHANNELS) {
      if (rand() < 0.4) {
        versions[ch] = (versions[ch] ?? 0) + 1; // forks reuse version numbers on purpose
        newVersions[ch] = versions[ch]!;
        const r = rand();
        if (r < 0.25) values[ch] = new DeltaSnapshot([`snap-${s}-${ch}`]);
        else if (r < 0.35) values[ch] = [`plain-${s}-${ch}`];
        else delete values[ch];
      }
    }
    const cp: Checkpoint = {
      v: 4,
      id: uuid6(-1),
      ts: new Date().toISOString(),
      channel_values: values,
      channel_versions: versions,
      versions_seen: {},
    };
    let config: RunnableConfig | undefined;
    for (const saver of savers) config = await saver.put(parent.config, cp, meta(s), newVersions);
    const tasks = Math.floor(rand() * 3);
    for (let k = 0; k < tasks; k++) {
      const taskId = `task-${Math.floor(rand() * 5)}`;
      const path = rand() < 0.5 ? '' : `~__pregel_pull, n${Math.floor(rand() * 3)}`;
      const writes = CHANNELS.filter(() => rand() < 0.5).map((ch) => [ch, [`w-${s}-${k}-${ch}`]] as [string, unknown]);
      for (const saver of savers) await saver.putWrites(config!, writes, taskId, path);
    }
    const node = { config: config!, versions, values };
    nodes.push(node);
    parent = node;
  }
  return nodes;
}

forEachTopology(['standalone', 'cluster'], (t) => {
  const redis = useRedis(t);

  it('getDeltaChannelHistory equals the default walk and MemorySaver’s on random forked histories', async () => {
    for (const seed of [1, 2, 3, 4]) {
      const saver = makeSaver(redis.client());
      const memory = new MemorySaver();
      const nodes = await buildHistory([saver, memory], `delta-${seed}`, seed % 2 ? '' : 'sub:1', 40, seed);
      for (const node of nodes) {
        const options = { config: node.config, channels: [...CHANNELS, 'never'] };
        const ours = await saver.getDeltaChannelHistory(options);
        expect(ours).toStrictEqual(await BaseCheckpointSaver.prototype.getDeltaChannelHistory.call(saver, options));
        expect(ours).toStrictEqual(await memory.getDeltaChannelHistory(options));
      }
      // the latest checkpoint when no id is given
      const latest = { config: { configurable: { thread_id: `delta-${seed}`, checkpoint_ns: seed % 2 ? '' : 'sub:1' } }, channels: CHANNELS };
      expect(await saver.getDeltaChannelHistory(latest)).toStrictEqual(await memory.getDeltaChannelHistory(latest));
    }
  });

  it('walks chains longer than one call (256 ancestors) in a few round trips', async () => {
    const saver = makeSaver(redis.client());
    const memory = new MemorySaver();
    let config: RunnableConfig = { configurable: { thread_id: 'long', checkpoint_ns: '' } };
    let conf2 = config;
    for (let i = 0; i < 600; i++) {
      const cp: Checkpoint = { v: 4, id: uuid6(-1), ts: '', channel_values: i === 0 ? { m: new DeltaSnapshot([]) } : {}, channel_versions: { m: i + 1 }, versions_seen: {} };
      config = await saver.put(config, cp, meta(i), { m: i + 1 });
      conf2 = await memory.put(conf2, cp, meta(i));
      await saver.putWrites(config, [['m', [i]]], 't');
      await memory.putWrites(conf2, [['m', [i]]], 't');
    }
    // Round trips of the walk; a NOSCRIPT re-send (the node owning this thread's slot may not
    // have the script cached yet on a fresh cluster) is not one of them.
    const sent = () => saver.redis.stats.commands - saver.redis.stats.noscriptFallbacks;
    const before = sent();
    const ours = await saver.getDeltaChannelHistory({ config, channels: ['m'] });
    expect(sent() - before).toBe(3);
    expect(ours.m!.writes.length).toBe(599);
    expect(ours).toStrictEqual(await memory.getDeltaChannelHistory({ config, channels: ['m'] }));
  }, 60_000);

  it('no thread or unknown checkpoint: empty writes, no seed', async () => {
    const saver = makeSaver(redis.client());
    expect(await saver.getDeltaChannelHistory({ config: { configurable: {} }, channels: ['a'] })).toEqual({ a: { writes: [] } });
    expect(
      await saver.getDeltaChannelHistory({ config: { configurable: { thread_id: 'none', checkpoint_id: 'x' } }, channels: ['a'] }),
    ).toEqual({ a: { writes: [] } });
    expect(await saver.getDeltaChannelHistory({ config: { configurable: { thread_id: 'none' } }, channels: [] })).toEqual({});
  });
});
