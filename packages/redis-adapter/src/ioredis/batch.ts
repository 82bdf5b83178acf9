import type { IoCommand, IoPipeline } from './types.js';

/** One command of a batch with the slot it routes by on a cluster (`null`: any node). */
export interface BatchCommand {
  readonly command: IoCommand;
  readonly slot: number | null;
}

/** A connection that makes ioredis `Pipeline`s (a `Redis` or a `Redis.Cluster`). */
export interface PipelineMaker {
  pipeline(): IoPipeline;
}

/** True for a cluster redirection: the command was not run and may be sent again (the cluster follows it). */
export function isRedirection(err: unknown): boolean {
  if (!(err instanceof Error) || typeof err.message !== 'string') return false;
  return err.message.startsWith('MOVED ') || err.message.startsWith('ASK ');
}

/**
 * Sends `commands` as one ioredis `Pipeline` (one write) and settles each from
 * what `exec` reports, after ioredis' own redirection handling on a cluster.
 * When `exec` refuses the pipeline before writing any of it (on a cluster:
 * ioredis' slot map changed under the grouping, or the cluster could not
 * connect), each command goes on its own through `alone` instead.
 */
export async function execPipeline(
  conn: PipelineMaker,
  commands: readonly IoCommand[],
  alone: (i: number) => Promise<unknown>,
): Promise<PromiseSettledResult<unknown>[]> {
  const pipeline = conn.pipeline();
  for (const command of commands) pipeline.sendCommand(command);
  let replies: [Error | null, unknown][];
  try {
    replies = await pipeline.exec();
  } catch {
    return Promise.allSettled(commands.map((_, i) => alone(i)));
  }
  return commands.map((_, i) => {
    const [err, value] = replies[i] ?? [new Error('ioredis pipeline returned no reply for a command')];
    return err ? { status: 'rejected', reason: err } : { status: 'fulfilled', value };
  });
}

/**
 * The indexes of `slots` grouped by `groupOf` (on a cluster: the node set that
 * serves the slot, so ioredis' own check that a pipeline stays on one node
 * holds). Keyless commands (`null`) join the first group.
 */
export function groupBySlot(slots: readonly (number | null)[], groupOf: (slot: number) => string | undefined): number[][] {
  const groups = new Map<string | undefined, number[]>();
  const keyless: number[] = [];
  slots.forEach((slot, i) => {
    if (slot === null) {
      keyless.push(i);
      return;
    }
    const id = groupOf(slot);
    const group = groups.get(id);
    if (group) group.push(i);
    else groups.set(id, [i]);
  });
  const all = [...groups.values()];
  if (keyless.length > 0) {
    if (all.length === 0) all.push(keyless);
    else all[0]!.push(...keyless);
  }
  return all;
}

/** {@link execPipeline} once per group of {@link groupBySlot}, all written before any reply is awaited. */
export async function execPerNode(
  conn: PipelineMaker,
  commands: readonly BatchCommand[],
  groupOf: (slot: number) => string | undefined,
  alone: (i: number) => Promise<unknown>,
): Promise<PromiseSettledResult<unknown>[]> {
  const settled = new Array<PromiseSettledResult<unknown>>(commands.length);
  await Promise.all(
    groupBySlot(
      commands.map((c) => c.slot),
      groupOf,
    ).map(async (indexes) => {
      const replies = await execPipeline(
        conn,
        indexes.map((i) => commands[i]!.command),
        (j) => alone(indexes[j]!),
      );
      indexes.forEach((i, j) => {
        settled[i] = replies[j]!;
      });
    }),
  );
  return settled;
}
