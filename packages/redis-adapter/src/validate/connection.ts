import { InvalidArgumentError } from '../errors.js';
import { isPlainObject } from './options.js';

/**
 * Checks the `(redis, options)` pair of a constructor that takes the connection first:
 * the connection is there, and neither argument is the old single object `{ redis, ... }`.
 * `name` is the class (for the messages), `example` the options to show (`'{ prefix, ttlMs, ... }'`).
 * Throws `InvalidArgumentError` before anything connects.
 */
export function checkConnectionFirst(name: string, redis: unknown, options: unknown, example = '{ prefix, ... }'): void {
  if (redis === undefined || redis === null) {
    throw new InvalidArgumentError(`${name}(redis, options) needs a Redis connection target as its first argument`, { argument: 'redis' });
  }
  if (isPlainObject(redis) && Object.hasOwn(redis, 'redis')) {
    throw new InvalidArgumentError(
      `${name} takes the connection as its first argument: write new ${name}(redis, ${example}) instead of new ${name}({ redis, ... })`,
      { argument: 'redis' },
    );
  }
  if (isPlainObject(options) && Object.hasOwn(options, 'redis')) {
    throw new InvalidArgumentError(`${name}(redis, options): the connection is the first argument, so options take no redis`, {
      argument: 'options',
    });
  }
}
