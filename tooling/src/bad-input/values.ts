/** The bad values the suite feeds to every entry point. */

/** A typo of an accepted name: its last two letters swapped (or a letter doubled for short names). */
export function typoOf(name: string): string {
  if (name.length >= 4) return `${name.slice(0, -2)}${name.at(-1)}${name.at(-2)}`;
  return `${name}${name.at(-1)}`;
}

/** Ids that must be refused, with the code each gets, for an id limit of `limit` bytes. */
export function badIds(limit: number): [label: string, value: unknown, code: string][] {
  return [
    ['an empty id', '', 'ERR_INVALID_ARGUMENT'],
    ['a number id (no coercion)', 42, 'ERR_INVALID_ARGUMENT'],
    ['a null id', null, 'ERR_INVALID_ARGUMENT'],
    ['an undefined id', undefined, 'ERR_INVALID_ARGUMENT'],
    ['an object id', { id: 'x' }, 'ERR_INVALID_ARGUMENT'],
    ['an id with a lone surrogate', 'a\ud800b', 'ERR_INVALID_ARGUMENT'],
    ['an id one byte over the limit', 'x'.repeat(limit + 1), 'ERR_TOO_LARGE'],
    ['an id over the limit in multi-byte characters only', '€'.repeat(Math.floor(limit / 3) + 1), 'ERR_TOO_LARGE'],
    ['a 1 MiB id', 'i'.repeat(1024 * 1024), 'ERR_TOO_LARGE'],
    ['a 10 MB id', 'i'.repeat(10_000_000), 'ERR_TOO_LARGE'],
  ];
}

/** Ids full of characters that are syntax elsewhere: all accepted, and kept apart. */
export const ODD_IDS: [label: string, value: string][] = [
  ['glob characters', 'a*?[b]\\c'],
  ['braces (a hash tag)', '{a}:{b}'],
  ['separators', 'a:b:c'],
  ['a NUL byte', 'a\u0000b'],
  ['unicode', 'ü🙂中文'],
  ['spaces and percent signs', ' %20 %'],
];

function cyclic(): unknown {
  const value: Record<string, unknown> = { role: 'user', content: 'x' };
  value.self = value;
  return value;
}

/** JSON payloads that cannot be read back as written. `wrap` turns a bad field into a payload of the right shape. */
export function unserialisable(wrap: (bad: unknown) => unknown): [label: string, value: unknown][] {
  return [
    ['a BigInt', wrap(10n)],
    ['a cycle', wrap(cyclic())],
    ['a function', wrap(() => 1)],
    ['undefined inside an array', wrap([1, undefined, 3])],
    ['a symbol', wrap(Symbol('s'))],
    ['NaN', wrap(Number.NaN)],
    ['a Date', wrap(new Date(0))],
    ['a Map', wrap(new Map([[1, 2]]))],
  ];
}

/** Bad values for a numeric option of the given range. */
export function badNumbers(min: number, max: number, integer: boolean): [label: string, value: unknown][] {
  const out: [string, unknown][] = [
    ['a numeric string', String(Math.max(min, 1))],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a bigint', 5n],
    ['null', null],
    ['above the maximum', max + (integer ? 1 : max)],
  ];
  if (min > Number.MIN_SAFE_INTEGER) out.push(['below the minimum', min - 1]);
  if (integer) out.push(['a fraction', min + 0.5]);
  return out;
}
