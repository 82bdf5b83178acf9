import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunnableConfig } from '@langchain/core/runnables';
import type { ChannelVersions, Checkpoint, CheckpointMetadata } from '@langchain/langgraph-checkpoint';
import type { RedisArg } from '@x/redis-adapter';
import type { RedisSaver } from '../../src/index.js';
import { encodeName, frame, metadataToken } from '../../src/codec.js';
import { fields } from '../../src/keys.js';

// `put` as the saver did it before inline values (record format 1): the old script
// (test/old-format/put-v1.lua, the built checkpoint/put.lua of that release, verbatim)
// with the arguments the old `put()` built. Used to write old records in tests.

const source = readFileSync(join(import.meta.dirname, 'put-v1.lua'), 'utf8');
const putV1Script = {
  name: 'checkpoint/put-v1',
  source,
  sha1: createHash('sha1').update(source).digest('hex'),
  numberOfKeys: 8,
  keys: ['checkpoints', 'metadata', 'byNs', 'byId', 'blobs', 'writeOrder', 'writes', 'pin'],
  args: ['ns', 'id', 'parent', 'flags', 'shallow', 'ttlMs', 'body', 'tokens', 'channels'],
  variadicKeys: false,
  variadicArgs: true,
} as const;

/** Writes a checkpoint exactly as the previous release did. */
export async function putV1(
  saver: RedisSaver,
  config: RunnableConfig,
  checkpoint: Checkpoint,
  metadata: CheckpointMetadata,
  newVersions: ChannelVersions,
): Promise<RunnableConfig> {
  const conf = config.configurable ?? {};
  const threadId = String(conf.thread_id);
  const ns = (conf.checkpoint_ns as string | undefined) ?? '';
  const nsE = encodeName(ns, 'checkpoint_ns');
  const idE = encodeName(checkpoint.id, 'checkpoint.id');
  const parent = conf.checkpoint_id as string | undefined;
  const parentE = parent ? encodeName(parent, 'checkpoint_id') : Buffer.alloc(0);
  const { channel_values: values = {}, ...rest } = checkpoint;
  const channelVersions = checkpoint.channel_versions ?? {};
  const names = new Set([...Object.keys(channelVersions), ...Object.keys(newVersions)]);
  const channels: RedisArg[][] = [];
  for (const name of names) {
    const version = channelVersions[name] ?? newVersions[name]!;
    const field = fields.blob(nsE, name, version);
    const isNew = Object.prototype.hasOwnProperty.call(newVersions, name);
    const hasValue = Object.prototype.hasOwnProperty.call(values, name);
    const token = field.subarray(field.lastIndexOf(0) + 1);
    if (isNew && hasValue) {
      const [type, data] = await saver.serde.dumpsTyped((values as Record<string, unknown>)[name]);
      channels.push([name, token, field, 'n', frame([type, data])]);
    } else {
      channels.push([name, token, field, isNew ? 'e' : 'c', '']);
    }
  }
  const tokens: string[] = [];
  for (const [key, value] of Object.entries(metadata ?? {})) {
    const token = value === undefined ? undefined : metadataToken(value);
    if (token !== undefined) tokens.push(key, token);
  }
  const [cpType, cpBytes] = await saver.serde.dumpsTyped(rest);
  const [mdType, mdBytes] = await saver.serde.dumpsTyped(metadata);
  const args: RedisArg[] = [
    nsE,
    idE,
    parentE,
    checkpoint.v < 4 ? 'm' : '',
    '0',
    0,
    frame([cpType, cpBytes, mdType, mdBytes]),
    tokens.length > 0 ? frame(tokens) : '',
  ];
  for (const c of channels) args.push(...c);
  await saver.redis.runScript(putV1Script, { keys: saver.keys.thread(threadId), args });
  return { configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: checkpoint.id } };
}
