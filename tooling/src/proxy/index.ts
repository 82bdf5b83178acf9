export { RoundTripProxy } from './round-trip-proxy.js';
export { startDelayProxy, type DelayProxy } from './delay-proxy.js';
