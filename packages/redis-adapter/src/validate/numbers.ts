import { InvalidArgumentError } from '../errors.js';
import { describeValue } from './describe.js';

/** Bounds of {@link checkInteger}. */
export interface IntegerRange {
  /** Smallest accepted value (default 0). */
  readonly min?: number;
  /** Largest accepted value (default `Number.MAX_SAFE_INTEGER`). */
  readonly max?: number;
}

/**
 * An integer option: a `number` (never a numeric string), a safe integer,
 * within `[min, max]`. `undefined` returns `fallback` (pass none to require it).
 * The message names the argument, the range, and the received value with its type.
 */
export function checkInteger(value: unknown, argument: string, range: IntegerRange = {}, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  const min = range.min ?? 0;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`${argument} must be an integer from ${min} to ${max}, got ${describeValue(value)}`, {
      argument,
    });
  }
  return value === 0 ? 0 : value; // -0 -> 0
}

/**
 * A finite number option within `[min, max]` (defaults: 0 and
 * `Number.MAX_VALUE`); `undefined` returns `fallback` when one is given.
 */
export function checkNumber(
  value: unknown,
  argument: string,
  range: { readonly min?: number; readonly max?: number } = {},
  fallback?: number,
): number {
  if (value === undefined && fallback !== undefined) return fallback;
  const min = range.min ?? 0;
  const max = range.max ?? Number.MAX_VALUE;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new InvalidArgumentError(`${argument} must be a finite number from ${min} to ${max}, got ${describeValue(value)}`, {
      argument,
    });
  }
  return value === 0 ? 0 : value;
}

/** A boolean option; `undefined` returns `fallback` when one is given. */
export function checkBoolean(value: unknown, argument: string, fallback?: boolean): boolean {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new InvalidArgumentError(`${argument} must be true or false, got ${describeValue(value)}`, { argument });
  }
  return value;
}

/** One of a fixed set of strings; `undefined` returns `fallback` when one is given. */
export function checkOneOf<T extends string>(value: unknown, argument: string, choices: readonly T[], fallback?: T): T {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(
      `${argument} must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}, got ${describeValue(value)}`,
      { argument },
    );
  }
  return value as T;
}

/** A function option, or `undefined` when absent. */
export function checkFunction<F extends (...args: never[]) => unknown>(value: unknown, argument: string): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') {
    throw new InvalidArgumentError(`${argument} must be a function, got ${describeValue(value)}`, { argument });
  }
  return value as F;
}
