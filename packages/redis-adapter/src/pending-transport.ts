import type { Topology } from './port.js';
import type { Transport } from './node-redis/transport.js';

function notYet(): never {
  throw new Error('internal: a call reached the connection before it was made');
}

/**
 * The transport of an adapter whose connection is still being made (its client
 * library is loaded first): it only states the expected topology. The adapter
 * sends nothing before its `ready` promise settles, and the real transport is
 * switched in before that (see `SwitchableTransport`).
 */
export class PendingTransport implements Transport {
  readonly publishCommand = 'PUBLISH' as const;
  constructor(readonly topology: Topology) {}
  send = notYet;
  sendBatch = notYet;
  scan = notYet;
  subscribe = notYet;
  unsubscribe = notYet;
  abortMeansTimeout = notYet;
  onInterruption(): () => void {
    return () => undefined;
  }
  async close(): Promise<void> {}
}
