/**
 * A Lua script ready to run: its source with helpers inlined, the SHA1 Redis
 * knows it by, and the names of its KEYS and ARGV as stated in its header.
 *
 * @typeParam K - names of the script's KEYS, in order
 * @typeParam A - names of the script's ARGV, in order
 */
export interface ScriptDescriptor<
  K extends readonly string[] = readonly string[],
  A extends readonly string[] = readonly string[],
> {
  /** Path under `src/` without `.lua`, e.g. `lock/acquire`. */
  readonly name: string;
  /** The script text sent with EVAL, includes resolved. */
  readonly source: string;
  /** Lower-case hex SHA1 of {@link ScriptDescriptor.source}, used with EVALSHA. */
  readonly sha1: string;
  /** How many KEYS the script takes (the minimum when {@link ScriptDescriptor.variadicKeys}). */
  readonly numberOfKeys: number;
  /** KEYS names from the header, in order. */
  readonly keys: K;
  /** ARGV names from the header, in order. */
  readonly args: A;
  /** True when the last KEYS entry takes any number of keys (`KEYS[n...]`). */
  readonly variadicKeys: boolean;
  /** True when the last ARGV entry takes any number of values (`ARGV[n...]`). */
  readonly variadicArgs: boolean;
}

/** The KEYS names of a descriptor, as a union. */
export type ScriptKeyName<D> = D extends ScriptDescriptor<infer K, readonly string[]> ? K[number] : never;
/** The ARGV names of a descriptor, as a union. */
export type ScriptArgName<D> = D extends ScriptDescriptor<readonly string[], infer A> ? A[number] : never;
