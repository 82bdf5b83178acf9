/**
 * The one error this package throws: `defineScript` was given a description it
 * cannot turn into a descriptor. This package has no runtime dependencies (the
 * adapter depends on it, not the other way round), so the class is its own, but
 * it carries the `Symbol.for` brands of `@x/redis-adapter`'s `InvalidArgumentError`
 * and `RedisPrimitiveError`: `isInvalidArgumentError(e)` and
 * `e instanceof InvalidArgumentError` from any `@x` package recognise it, and its
 * `code` is the same, `ERR_INVALID_ARGUMENT`.
 */
export class InvalidScriptError extends Error {
  /** Brand of this class, the same in every copy of the package. */
  static readonly brand = Symbol.for('@x/lua-scripts:InvalidScriptError');
  /** Stable machine-readable code: `ERR_INVALID_ARGUMENT`. */
  readonly code = 'ERR_INVALID_ARGUMENT';
  /** The offending field of the `defineScript` input, e.g. `keys`. */
  readonly argument: string;

  constructor(message: string, argument: string) {
    super(message);
    this.name = 'InvalidScriptError';
    this.argument = argument;
    for (const brand of BRANDS) Object.defineProperty(this, brand, { value: true, enumerable: false });
  }

  /** `instanceof` by brand, so it holds across duplicated copies of the package. */
  static [Symbol.hasInstance](value: unknown): boolean {
    return isInvalidScriptError(value);
  }
}

/** This class's brand and those of the adapter classes it stands for (`@x/error:<ClassName>`). */
const BRANDS = [
  InvalidScriptError.brand,
  Symbol.for('@x/error:InvalidArgumentError'),
  Symbol.for('@x/error:RedisPrimitiveError'),
];

/** True for an {@link InvalidScriptError} from any copy of this package. */
export function isInvalidScriptError(value: unknown): value is InvalidScriptError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[InvalidScriptError.brand] === true;
}
