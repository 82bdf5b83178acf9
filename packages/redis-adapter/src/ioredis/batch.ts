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
 * Sends `commands` as ioredis `Pipeline`s (one write per pipeline), one
 * pipeline per group of `groupOf` (on a cluster: the node set that serves the
 * slot, so ioredis' own check that a pipeline stays on one node holds), and
 * settles each command from what `exec` reports after its own redirection
 * handling. Keyless commands join the first group.
 */
export async function execInPipelines(
  conn: PipelineMaker,
  commands: readonly BatchCommand[],
  groupOf: (slot: number) => string | undefined,
  /** Sends command `i` on its own: for a pipeline `exec` refused before writing anything. */
  alone: (i: number) => Promise<unknown>,
): Promise<PromiseSettledResult<unknown>[]> {
  const groups = new Map<string | undefined, number[]>();
  let keyless: number[] | undefined;
  commands.forEach(({ slot }, i) => {
    if (slot === null) {
      (keyless ??= []).push(i);
      return;
    }
    const id = groupOf(slot);
    const group = groups.get(id);
    if (group) group.push(i);
    else groups.set(id, [i]);
  });
  if (keyless) {
    const first = groups.values().next();
    if (first.done === true) groups.set(undefined, keyless);
    else first.value.push(...keyless);
  }
  const settled = new Array<PromiseSettledResult<unknown>>(commands.length);
  await Promise.all(
    [...groups.values()].map(async (indexes) => {
      const pipeline = conn.pipeline();
      for (const i of indexes) pipeline.sendCommand(commands[i]!.command);
      try {
        const replies = await pipeline.exec();
        indexes.forEach((i, j) => {
          const [err, value] = replies[j] ?? [new Error('ioredis pipeline returned no reply for a command')];
          settled[i] = err ? { status: 'rejected', reason: err } : { status: 'fulfilled', value };
        });
      } catch {
        // exec refused the pipeline before writing any of it (ioredis' slot map changed under the
        // grouping, the cluster could not connect): each command goes on its own, routed one by one.
        const each = await Promise.allSettled(indexes.map((i) => alone(i)));
        indexes.forEach((i, j) => {
          settled[i] = each[j]!;
        });
      }
    }),
  );
  return settled;
}
