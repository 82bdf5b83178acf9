import { InvalidArgumentError, checkJsonValue, describeValue, isPlainObject } from '@x/redis-adapter';

/** One compiled condition, as `include/store-filter.lua` reads it: `[field, op, operand]`. */
export type Condition = [string, string, unknown];

const OPERATORS = ['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin'] as const;
const NUMERIC: Record<string, string> = { $gt: 'gt', $gte: 'gte', $lt: 'lt', $lte: 'lte' };

function isOperatorObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.keys(value).every((k) => (OPERATORS as readonly string[]).includes(k));
}

/** A JSON primitive (what JavaScript `===` can ever find equal to a stored value). */
function isPrimitive(value: unknown): boolean {
  return value === null || typeof value !== 'object';
}

/** JavaScript `Number(value)` as text the script parses (`Infinity`, `NaN` spelt out). */
function numberText(value: unknown): string {
  return String(Number(value));
}

/**
 * Compiles a `search` filter into server-side conditions with exactly the
 * semantics of LangGraph's `InMemoryStore` (`compareValues`): a plain value is
 * `===`; an object whose keys are all operators applies each (`$gt`..`$lte`
 * compare `Number()`s; `$in`/`$nin` take an array); any other object or array
 * never equals a stored value. Returns `''` for no filter.
 */
export function compileFilter(filter: unknown): string {
  if (filter === undefined || filter === null) return '';
  if (!isPlainObject(filter)) {
    throw new InvalidArgumentError(`filter must be a plain object of field -> value or operators, got ${describeValue(filter)}`, { argument: 'filter' });
  }
  checkJsonValue(filter, 'filter', { maxBytes: 1_048_576, limitName: 'a 1 MiB filter' });
  const conditions: Condition[] = [];
  for (const [field, wanted] of Object.entries(filter)) {
    if (!isOperatorObject(wanted)) {
      conditions.push(isPrimitive(wanted) ? [field, 'eq', wanted] : [field, 'never', null]);
      continue;
    }
    for (const [op, operand] of Object.entries(wanted)) {
      if (op === '$eq') conditions.push(isPrimitive(operand) ? [field, 'eq', operand] : [field, 'never', null]);
      else if (op === '$ne') {
        if (isPrimitive(operand)) conditions.push([field, 'ne', operand]);
      } else if (op === '$in') {
        conditions.push(Array.isArray(operand) ? [field, 'in', operand.filter(isPrimitive)] : [field, 'never', null]);
      } else if (op === '$nin') {
        if (Array.isArray(operand)) conditions.push([field, 'nin', operand.filter(isPrimitive)]);
      } else conditions.push([field, NUMERIC[op]!, numberText(operand)]);
    }
  }
  if (conditions.length === 0) return '';
  // An empty array would decode as an (empty) object in Lua: the script only iterates it.
  return JSON.stringify(conditions);
}
