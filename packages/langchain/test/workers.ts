import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Topology } from '@x/tooling/vitest';

// Plain Node on the built package: run `pnpm build` first (`pnpm test` does).
const workerFile = fileURLToPath(new URL('./fixtures/worker.mjs', import.meta.url));

/** The connection target a worker process is given for a topology. */
export function redisOf(t: Topology): string | { rootNodes: { url: string }[] } {
  if (t.kind === 'standalone') return t.url;
  if (t.kind === 'cluster') return { rootNodes: t.rootNodes };
  throw new Error(`no worker target for ${t.kind}`);
}

/** Starts a worker process; `lines` fills with its JSON output; `exited` settles with its exit code or signal. */
export function startWorker(config: object) {
  const child: ChildProcess = spawn(process.execPath, [workerFile, JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      stderr += `${line}\n`;
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
  return { child, lines, exited, stderr: () => stderr };
}
