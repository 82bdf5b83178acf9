import { RedisSaver } from './saver.js';

/**
 * A saver that keeps only the latest checkpoint of each thread and namespace:
 * `put` drops the namespace's other checkpoints (with their pending writes and
 * the blobs only they referenced) in the same script, and `putWrites` for a
 * checkpoint that is already superseded is ignored. Same contract, layout and
 * options as {@link RedisSaver}; `list` returns at most one checkpoint per
 * namespace and `getStateHistory` only the current state.
 */
export class ShallowRedisSaver extends RedisSaver {
  protected override readonly shallow: boolean = true;
}
