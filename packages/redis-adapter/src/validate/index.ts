/**
 * The one validator every `@x` package uses at its edge: strict options,
 * numbers, ids and payloads with byte limits, and error brands. Every failure
 * is a typed error (see `../errors.ts`) thrown before anything is sent.
 */
export { describeValue } from './describe.js';
export { checkOptions, isPlainObject, nearestName, unknownOption, type OptionsSpec } from './options.js';
export { checkBoolean, checkFunction, checkInteger, checkNumber, checkOneOf, type IntegerRange } from './numbers.js';
export { DEFAULT_MAX_ID_BYTES, MAX_ID_BYTES_LIMIT, checkId, checkLimit, checkOptionalId, utf8LengthUpTo } from './ids.js';
export { DEFAULT_MAX_PAYLOAD_BYTES, MAX_PAYLOAD_BYTES_LIMIT, checkJsonValue, checkPayloadSize, toJson, type JsonSizeOptions } from './payload.js';
export { brandFor, errorGuard } from './brand.js';
export { checkConnectionFirst } from './connection.js';
