import { fileURLToPath } from 'node:url';
import { startJsonWorker } from '@x/tooling/workers';
import type { Topology } from '@x/tooling/vitest';

const workerFile = fileURLToPath(new URL('./fixtures/worker.ts', import.meta.url));

/** Starts a worker process (the source, through tsx); `lines` fills with its JSON output; `done` settles when it exits. */
export const startWorker = (config: object) =>
  startJsonWorker(workerFile, config, { cwd: fileURLToPath(new URL('..', import.meta.url)), tsx: true });

export const coordinates = (t: Topology) =>
  t.kind === 'standalone' ? { kind: 'standalone', url: t.url } : t.kind === 'cluster' ? { kind: 'cluster', rootNodes: t.rootNodes } : t;
