// pnpm --filter @x/checkpoint-redis bench (second part): put and getTuple over node-redis and over
// ioredis, each next to its raw client sending the same commands (runClientsBench).
import { randomBytes } from 'node:crypto';
import { uuid6, type Checkpoint, type CheckpointMetadata } from '@langchain/langgraph-checkpoint';
import { runClientsBench } from '@x/tooling/bench';
import { RedisSaver } from '../src/index.js';

const THREADS = 64;
const CHANNELS = Array.from({ length: 10 }, (_, i) => `channel_${i}`);
const value = (c: number) => ({ channel: c, text: `value ${c} `.padEnd(300, '.'), tags: ['a', 'b', 'c'] });
const config = (t: number) => ({ configurable: { thread_id: `t${t}`, checkpoint_ns: '' } });

/** A checkpoint of 10 channels (about 300 bytes each), two of them new in this step. */
function checkpoint(step: number): { cp: Checkpoint; metadata: CheckpointMetadata; newVersions: Record<string, number> } {
  const versions = Object.fromEntries(CHANNELS.map((c) => [c, step]));
  const cp: Checkpoint = { v: 4, id: uuid6(-1), ts: new Date().toISOString(), channel_values: Object.fromEntries(CHANNELS.map((c, k) => [c, value(k)])), channel_versions: versions, versions_seen: {} };
  return { cp, metadata: { source: 'loop', step, parents: {} } as CheckpointMetadata, newVersions: { [CHANNELS[step % 10]!]: step, [CHANNELS[(step + 3) % 10]!]: step } };
}

function saverOn(client: object, closers: (() => Promise<unknown>)[]) {
  const saver = new RedisSaver(client as never, { prefix: `bench-clients-${randomBytes(3).toString('hex')}` });
  closers.push(() => saver.close());
  return saver;
}

await runClientsBench({
  title: '@x/checkpoint-redis on node-redis and ioredis',
  notes: [`${THREADS} threads; checkpoints of 10 channels of about 300 bytes, two channels new per put; getTuple reads the latest`],
  ops: [
    {
      name: 'put',
      async make(client, _kind, closers) {
        const saver = saverOn(client, closers);
        let n = 0;
        return () => {
          const i = n++;
          const { cp, metadata, newVersions } = checkpoint(i);
          return saver.put(config(i % THREADS), cp, metadata, newVersions);
        };
      },
    },
    {
      name: 'getTuple (latest)',
      async make(client, _kind, closers) {
        const saver = saverOn(client, closers);
        for (let t = 0; t < THREADS; t++) {
          for (let s = 0; s < 3; s++) {
            const { cp, metadata, newVersions } = checkpoint(s);
            await saver.put(config(t), cp, metadata, newVersions);
          }
        }
        let n = 0;
        return () => saver.getTuple(config(n++ % THREADS));
      },
    },
  ],
});
