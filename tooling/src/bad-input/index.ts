/**
 * The shared bad-input suite: one table of hostile inputs (unknown options,
 * wrong types, out-of-range numbers, empty / huge / odd ids, huge and
 * unserialisable payloads, use after close, namespace escapes) that every
 * package runs against its public entry points, on standalone and cluster.
 * See `describeBadInput` and the `BadInputSpec` a package fills in.
 */
export { DEFAULT_TIME_BOUND_MS, describeBadInput, casesOf, expectRefused, settle, INPUT_CODES, type SuiteCounts } from './suite.js';
export { ODD_IDS, badIds, badNumbers, typoOf, unserialisable } from './values.js';
export { PerIdObjects, type Closable } from './per-id.js';
export type { BadInputSpec, CallArgs, ConstructorCase, EntryPoint, ExtraCase, NamespaceSpec, NumberOption } from './types.js';
