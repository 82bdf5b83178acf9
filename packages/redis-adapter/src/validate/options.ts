import { InvalidArgumentError, UnknownOptionError } from '../errors.js';
import { describeValue } from './describe.js';

/** How {@link checkOptions} reads one options object. */
export interface OptionsSpec {
  /** Every key the object may have. */
  readonly accepted: readonly string[];
  /**
   * Old or foreign names and what to use instead, e.g. `{ ttl: 'ttlMs' }`: such a
   * key is refused with a message that points at the new name.
   */
  readonly renamed?: Readonly<Record<string, string>>;
}

/** True for `{}` literals and `Object.create(null)`: not arrays, class instances, clients or adapters. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * The edit distance between two names (optimal string alignment: insertions,
 * deletions, substitutions, and swaps of two neighbours), case-insensitive.
 */
export function nameDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  if (s === t) return a === b ? 0 : 0.5;
  const rows: number[][] = [];
  for (let i = 0; i <= s.length; i++) rows.push([i, ...new Array<number>(t.length).fill(0)]);
  for (let j = 0; j <= t.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[s.length]![t.length]!;
}

/**
 * The accepted name nearest to `name`, if one is near enough to be a likely
 * typo: within 2 edits (1 for names of up to 4 characters), or `name` plus a
 * unit suffix (`ttl` -> `ttlMs`), or the same name in another case.
 */
export function nearestName(name: string, accepted: readonly string[]): string | undefined {
  if (name.length > 100) return undefined; // no quadratic work on hostile keys
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of accepted) {
    if (candidate === `${name}Ms` || candidate === `${name}Bytes`) return candidate;
    const d = nameDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const allowed = name.length <= 4 ? 1 : 2;
  return bestDistance <= allowed ? best : undefined;
}

/**
 * Checks an options object: `undefined` reads as `{}`; anything but a plain
 * object is refused with `InvalidArgumentError`; a key that is not in
 * `spec.accepted` is refused with `UnknownOptionError` naming the key, the
 * accepted ones and the nearest name (or the new name of a renamed option).
 * Keys whose value is `undefined` count as present (so a typo is caught even
 * when its value is empty). Returns the object.
 *
 * @param where - how the message names the object, e.g. `AtomicOperations options`
 */
export function checkOptions<T extends object = Record<string, unknown>>(
  value: T | undefined,
  where: string,
  spec: OptionsSpec,
): Partial<T> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) {
    throw new InvalidArgumentError(`${where} must be a plain object, got ${describeValue(value)}`, { argument: where });
  }
  for (const key in value) {
    if (!spec.accepted.includes(key)) throw unknownOption(key, where, spec);
  }
  return value;
}

/** The error for one unknown key (exported for callers that check keys themselves). */
export function unknownOption(key: string, where: string, spec: OptionsSpec): UnknownOptionError {
  const accepted = spec.accepted;
  const list = accepted.length === 0 ? 'none' : accepted.join(', ');
  const shown = JSON.stringify(key.length > 60 ? `${key.slice(0, 60)}...` : key);
  const renamedTo = spec.renamed !== undefined && Object.hasOwn(spec.renamed, key) ? spec.renamed[key] : undefined;
  if (renamedTo !== undefined) {
    return new UnknownOptionError(`${where}: ${shown} is no longer an option, use ${JSON.stringify(renamedTo)} (accepted: ${list})`, {
      where,
      option: key,
      accepted,
      suggestion: renamedTo,
    });
  }
  const suggestion = nearestName(key, accepted);
  const hint = suggestion === undefined ? '' : ` Did you mean ${JSON.stringify(suggestion)}?`;
  return new UnknownOptionError(`${where}: unknown option ${shown}.${hint} Accepted: ${list}.`, {
    where,
    option: key,
    accepted,
    ...(suggestion === undefined ? {} : { suggestion }),
  });
}
