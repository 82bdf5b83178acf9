/**
 * The store validation suite: LangGraph's `BaseStore` behaviour, as
 * `InMemoryStore` implements it, as vitest cases for any store.
 *
 * @packageDocumentation
 */
export { describeStoreSuite, type StoreQuirks, type StoreSuiteOptions } from './suite.js';
export { WordHashEmbeddings } from './embeddings.js';
