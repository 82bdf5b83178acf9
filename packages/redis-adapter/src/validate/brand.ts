/**
 * Brands that let error classes be recognised across duplicated copies of a
 * package (two versions in `node_modules`, or an ESM and a CJS copy), where
 * `instanceof` compares class identities and fails.
 *
 * Every class derived from `RedisPrimitiveError` has a brand: a
 * `Symbol.for(...)` key, the same in every copy. An instance carries the brand
 * of its class and of each ancestor, so a guard for a base class also accepts
 * its subclasses.
 */

/** The brand key of a class that does not declare its own: `@x/error:<ClassName>`. */
export function brandFor(name: string): symbol {
  return Symbol.for(`@x/error:${name}`);
}

/** A class that may declare a `static readonly brand`. */
interface Branded {
  readonly name: string;
  readonly brand?: symbol;
}

const derived = new WeakMap<object, symbol>();

/**
 * The brand of a class: its own `static brand` when it declares one, else one
 * derived from its name (so classes written before brands existed get one).
 */
export function ownBrand(cls: Branded): symbol {
  if (Object.prototype.hasOwnProperty.call(cls, 'brand') && typeof cls.brand === 'symbol') return cls.brand;
  let brand = derived.get(cls);
  if (brand === undefined) {
    brand = brandFor(cls.name);
    derived.set(cls, brand);
  }
  return brand;
}

/** Marks `instance` with the brand of `leaf` and of every ancestor class up to (not including) `Error`. */
export function stampBrands(instance: object, leaf: Branded): void {
  for (let cls: unknown = leaf; typeof cls === 'function' && cls !== Error && cls !== Function.prototype; cls = Object.getPrototypeOf(cls)) {
    Object.defineProperty(instance, ownBrand(cls as Branded), { value: true, enumerable: false });
  }
}

/** True when `value` carries the brand of `cls` (an instance of it or of a subclass, from any copy). */
export function hasBrand(value: unknown, cls: Branded): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[ownBrand(cls)] === true;
}

/**
 * A type guard for an error class that works across duplicated copies of the
 * package: `export const isLockLostError = errorGuard(LockLostError)`.
 */
export function errorGuard<T>(cls: abstract new (...args: never[]) => T): (value: unknown) => value is T {
  const brand = ownBrand(cls as unknown as Branded);
  return (value: unknown): value is T =>
    typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}
