/**
 * The adapter conformance suite: every implementation of the port (node-redis
 * today, ioredis next) must pass it on every topology it supports.
 *
 * @packageDocumentation
 */
export { runAdapterConformance, type AdapterConformanceTarget } from './testing/conformance.js';
export type { ExpectLike, TestRunner } from './testing/runner.js';
