export * from './redis/index.js';
export * from './bench/index.js';
