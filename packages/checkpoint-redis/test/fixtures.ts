import { uuid6, type Checkpoint, type CheckpointMetadata } from '@langchain/langgraph-checkpoint';

/** A checkpoint with the given channel values and versions. */
export function checkpoint(
  values: Record<string, unknown> = {},
  versions: Record<string, number | string> = Object.fromEntries(Object.keys(values).map((k) => [k, 1])),
  id = uuid6(-1),
): Checkpoint {
  return {
    v: 4,
    id,
    ts: new Date().toISOString(),
    channel_values: values,
    channel_versions: versions,
    versions_seen: { node: { a: 1 } },
  };
}

/** Loop metadata with extra keys. */
export function meta(step: number, extra: Record<string, unknown> = {}): CheckpointMetadata {
  return { source: 'loop', step, parents: {}, ...extra } as CheckpointMetadata;
}

/** Collects an async iterable. */
export async function toArray<V>(it: AsyncIterable<V>): Promise<V[]> {
  const out: V[] = [];
  for await (const v of it) out.push(v);
  return out;
}
