/**
 * Listeners on a caller's connection object (a client, cluster or sentinel you
 * pass in), shared by every adapter made on it.
 *
 * Each package makes its own adapter on the connection you hand it, and an
 * adapter listens to that connection while it needs to (its subscriber follows
 * your client's `end`; a cluster's node events tell it subscriptions may have
 * been lost; a call waits for `ready`). With one listener per adapter, eleven
 * adapters on one client made Node print `MaxListenersExceededWarning` on your
 * object. Here every adapter's callbacks for one event of one object hang off a
 * single listener, added with the first and removed with the last.
 */

/** Something with `on`/`off`, like a node-redis or ioredis client, cluster or sentinel. */
export interface SharedEmitter {
  on(event: string, listener: () => void): unknown;
  off(event: string, listener: () => void): unknown;
}

interface Registration {
  readonly fn: () => void;
  readonly once: boolean;
}

interface EventEntry {
  readonly registrations: Set<Registration>;
  readonly dispatch: () => void;
  remove(registration: Registration): void;
}

const byEmitter = new WeakMap<object, Map<string, EventEntry>>();

/**
 * Calls `fn` on each `event` of `emitter` (only on the first with `once`) until
 * the returned function is called. All callbacks run even if one throws; the
 * first error is then thrown to the emitter, as a listener's would be.
 */
export function listenShared(emitter: SharedEmitter, event: string, fn: () => void, options?: { once?: boolean }): () => void {
  let events = byEmitter.get(emitter);
  if (events === undefined) {
    events = new Map();
    byEmitter.set(emitter, events);
  }
  const entry = events.get(event) ?? addEntry(emitter, events, event);
  const registration: Registration = { fn, once: options?.once === true };
  entry.registrations.add(registration);
  return () => entry.remove(registration);
}

/** The one listener of `event` on `emitter`, calling every registration; off again once none is left. */
function addEntry(emitter: SharedEmitter, events: Map<string, EventEntry>, event: string): EventEntry {
  const registrations = new Set<Registration>();
  const dispatch = () => {
    let failure: { error: unknown } | undefined;
    for (const r of [...registrations]) {
      if (r.once) entry.remove(r);
      try {
        r.fn();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  };
  const entry: EventEntry = {
    registrations,
    dispatch,
    remove(r) {
      if (!registrations.delete(r) || registrations.size > 0) return;
      if (events.get(event) === entry) events.delete(event);
      emitter.off(event, dispatch);
    },
  };
  events.set(event, entry);
  emitter.on(event, dispatch);
  return entry;
}
