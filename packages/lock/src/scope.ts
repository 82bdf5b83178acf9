import { AsyncLocalStorage } from 'node:async_hooks';
import type { Handle } from './held.js';

/**
 * The re-entrancy scope: which locks the current async call chain holds, by
 * backend and name. Established by `withLock` and `held.run` with
 * `AsyncLocalStorage.run`, so it covers exactly the routine and what it
 * awaits or starts, never a sibling task.
 */
const scope = new AsyncLocalStorage<ReadonlyMap<string, Handle>>();

/** The handle the current async scope holds for `scopeKey`, if any. */
export function scopedHandle(scopeKey: string): Handle | undefined {
  return scope.getStore()?.get(scopeKey);
}

/** Runs `fn` with `handle` added to the scope. */
export function runInScope<T>(scopeKey: string, handle: Handle, fn: () => T): T {
  const parent = scope.getStore();
  const next = new Map(parent);
  next.set(scopeKey, handle);
  return scope.run(next, fn);
}
