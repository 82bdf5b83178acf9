/** What an entry point is called with: an id, a payload and an options object (each optional). */
export interface CallArgs {
  readonly id: unknown;
  readonly payload: unknown;
  readonly options: unknown;
}

/** A numeric option and its accepted range. */
export interface NumberOption {
  readonly min: number;
  readonly max: number;
  /** Whole numbers only (default true). */
  readonly integer?: boolean;
}

/** One public method (or function) of the package under test. */
export interface EntryPoint<S> {
  /** How the cases name it, e.g. `appendMessage`. */
  readonly name: string;
  /** Calls it on `subject` with the given arguments (placed where the method takes them). */
  call(subject: S, args: CallArgs): unknown;
  /** Arguments of a call that must succeed (also used as "the next normal call still works"). */
  readonly valid: { readonly id?: string; readonly payload?: unknown; readonly options?: Record<string, unknown> };
  /** The call takes an id (a user-supplied string: thread, session, chain ...). */
  readonly takesId?: boolean;
  /**
   * What a missing (`undefined`) id means, when the README documents it as accepted
   * (e.g. `'a random session id'`): the suite then expects the call to work with it
   * instead of refusing it.
   */
  readonly undefinedId?: string;
  /** The call takes a payload: a JSON value, bytes or text (sizes and round-trip checks). */
  readonly payload?: 'json' | 'bytes';
  /**
   * The call takes an options object with these keys (`options` in `args`).
   * `required`: the object must be given (an input object, as `recordResponse({...})`).
   */
  readonly options?: { readonly accepted: readonly string[]; readonly numbers?: Readonly<Record<string, NumberOption>>; readonly required?: boolean };
}

/** A constructor or factory whose options are checked (run once per suite, no Redis needed). */
export interface ConstructorCase {
  readonly name: string;
  /** Creates the object with these options; must throw synchronously (or reject) on bad options. */
  make(options: Record<string, unknown>): unknown;
  /** Options that make it succeed (merged under the bad ones). */
  readonly valid: Record<string, unknown>;
  readonly accepted: readonly string[];
  readonly numbers?: Readonly<Record<string, NumberOption>>;
  /** Closes what `make` returned when it succeeded. */
  dispose?(made: unknown): Promise<void> | void;
}

/** A case the package adds by hand (wrong argument positions, shapes of its own ...). */
export interface ExtraCase<S> {
  readonly name: string;
  /** Runs the bad call; must throw or reject with `code`. */
  run(subject: S): unknown;
  readonly code: string;
  /** A pattern the message must match. */
  readonly message?: RegExp;
}

/** How the namespace checks reach a subject's data. */
export interface NamespaceSpec<S> {
  /** Writes something under `id`. */
  write(subject: S, id: string): Promise<unknown>;
  /** True when `id` has data visible to `subject`. */
  has(subject: S, id: string): Promise<boolean>;
  /** Every id the subject lists (omit when the package lists nothing). */
  list?(subject: S): Promise<string[]>;
  /** Deletes everything of the subject's namespace (omit when the package has no such call). */
  clear?(subject: S): Promise<unknown>;
}

/** The whole table for one package (and one topology). */
export interface BadInputSpec<S> {
  /** e.g. `@x/atomic-ops AtomicOperations (cluster)`. */
  readonly name: string;
  /** Opens a subject whose keys live under `prefix` (a tenant / namespace). */
  open(prefix: string): Promise<S> | S;
  /** `close()` of the subject. */
  close(subject: S): Promise<unknown>;
  /** Commands sent so far by the subject (to show that refused calls send nothing). */
  commands?(subject: S): number;
  readonly entryPoints: readonly EntryPoint<S>[];
  readonly constructors?: readonly ConstructorCase[];
  readonly extra?: readonly ExtraCase<S>[];
  readonly namespace?: NamespaceSpec<S>;
  /** The id byte limit the subject was opened with (default 1024). */
  readonly idLimitBytes?: number;
  /** The payload byte limit the subject was opened with (default 1 MiB). */
  readonly payloadLimitBytes?: number;
  /** Codes accepted for use after close (default `ERR_CLOSED`, `ERR_BACKEND_CLOSED`). */
  readonly closedCodes?: readonly string[];
  /** What the use-after-close message must name, e.g. `AtomicOperations`. */
  readonly closedName: string;
  /** Every refusal must settle within this time (default 100 ms: "not seconds", not a benchmark). */
  readonly timeBoundMs?: number;
  /** Property-based runs per property (default 25). */
  readonly propertyRuns?: number;
}
