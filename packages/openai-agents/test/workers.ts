import { fileURLToPath } from 'node:url';
import { startJsonWorker } from '@x/tooling/workers';

export { workerTarget as redisOf } from '@x/tooling/workers';

// Plain Node on the built package: run `pnpm build` first (`pnpm test` does).
const workerFile = fileURLToPath(new URL('./fixtures/worker.mjs', import.meta.url));

/** Starts a worker process; `lines` fills with its JSON output; `exited` settles with its exit code or signal. */
export const startWorker = (config: object) =>
  startJsonWorker(workerFile, config, { cwd: fileURLToPath(new URL('..', import.meta.url)) });
