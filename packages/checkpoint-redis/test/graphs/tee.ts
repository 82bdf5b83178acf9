import type { RunnableConfig } from '@langchain/core/runnables';
import {
  BaseCheckpointSaver,
  MemorySaver,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointTuple,
  type PendingWrite,
} from '@langchain/langgraph-checkpoint';
import { RedisJsonPlusSerializer, type RedisSaver } from '../../src/index.js';

/**
 * A checkpointer for a real graph that sends every write (put, putWrites,
 * deleteThread) to a RedisSaver and to a MemorySaver with the same serializer,
 * and answers reads from Redis. Afterwards both hold what the same calls left,
 * so their raw read-back can be compared. Remembers the namespaces written.
 */
export class TeeSaver extends BaseCheckpointSaver {
  readonly namespaces = new Set<string>(['']);

  constructor(
    readonly redis: RedisSaver,
    readonly memory: MemorySaver = new MemorySaver(new RedisJsonPlusSerializer()),
  ) {
    super(redis.serde);
  }

  getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    return this.redis.getTuple(config);
  }

  list(config: RunnableConfig, options?: CheckpointListOptions): AsyncGenerator<CheckpointTuple> {
    return this.redis.list(config, options);
  }

  async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions): Promise<RunnableConfig> {
    this.namespaces.add((config.configurable?.checkpoint_ns as string | undefined) ?? '');
    const [ours] = await Promise.all([
      this.redis.put(config, checkpoint, metadata, newVersions),
      (this.memory as BaseCheckpointSaver).put(config, checkpoint, metadata, newVersions),
    ]);
    return ours;
  }

  async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string, taskPath?: string): Promise<void> {
    await Promise.all([this.redis.putWrites(config, writes, taskId, taskPath), this.memory.putWrites(config, writes, taskId, taskPath)]);
  }

  async deleteThread(threadId: string): Promise<void> {
    await Promise.all([this.redis.deleteThread(threadId), this.memory.deleteThread(threadId)]);
  }
}
