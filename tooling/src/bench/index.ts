export { isQuick, runBench, addBaselineRatios } from './runner.js';
export { runSlice, type SliceBudget } from './measure.js';
export { percentile, quartiles, SampleRecorder, summarize, type Summary } from './stats.js';
export { formatTable } from './table.js';
export type { BenchCase, BenchOptions, BenchReport, CaseResult, MeasureResult } from './types.js';
export { printClientOverhead, runClientsBench, type BenchClientKind, type ClientOp, type ClientsBenchOptions } from './clients.js';
export { corkForTick } from './wire-recorder.js';
