/**
 * Describes a received value for an error message: the value (shortened) and
 * its type, so a string `'30000'` reads `"30000" (a string)`, never `30000`.
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'string': {
      const shown = value.length > 40 ? `${value.slice(0, 40)}...` : value;
      return `${JSON.stringify(shown)} (a string${value.length > 40 ? ` of ${value.length} characters` : ''})`;
    }
    case 'number':
      return `${Object.is(value, -0) ? '-0' : String(value)} (a number)`;
    case 'bigint':
      return `${value}n (a bigint)`;
    case 'boolean':
      return `${value} (a boolean)`;
    case 'undefined':
      return 'undefined';
    case 'symbol':
      return `${String(value)} (a symbol)`;
    case 'function':
      return `a function${value.name ? ` (${value.name})` : ''}`;
    default:
      if (value === null) return 'null';
      if (Array.isArray(value)) return `an array of ${value.length}`;
      return `an object (${(value as object).constructor?.name ?? 'no prototype'})`;
  }
}
