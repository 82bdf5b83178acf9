/**
 * The fault kit: inject a fault (connection kills, `SCRIPT FLUSH`, a slow
 * reload answering `LOADING`, a cluster master killed or stalled) on a private
 * harness server while writers call a package, and tally what callers saw
 * (operations, errors by class, lost, duplicated, recovery time) into one
 * summary line per scenario. Lines are also appended to `faults.jsonl` in
 * `X_FAULT_RESULTS_DIR` (else `X_TEST_REPORT_DIR`, else `<cwd>/.fault-results`);
 * `tooling/ci/fault-table.mjs` prints them as one table.
 */
export { FAULT_KINDS, FaultTally, errorClass, faultResultsDir, formatFaultRow } from './tally.js';
export type { FaultCounts, FaultKind, FaultRow, ScenarioLabel } from './tally.js';
export { flushScriptsFor, killConnectionsFor, killConnectionsRepeatedly, killMaster, mastersOf, reloadSlowly, stallMaster } from './injectors.js';
export type { FaultTarget, Injected } from './injectors.js';
export { countLostAndDuplicated, runFaultScenario } from './scenario.js';
export type { Acked, FaultScenario, FaultScenarioResult, OpContext } from './scenario.js';
