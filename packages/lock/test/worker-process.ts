import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Topology } from '@x/tooling/vitest';

const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
const workerFile = fileURLToPath(new URL('./fixtures/worker.ts', import.meta.url));

/** Starts a worker process; `lines` fills with its JSON output; `done` settles when it exits. */
export function startWorker(config: object) {
  const child = spawn(process.execPath, [tsxCli, workerFile, JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      stderr += `${line}\n`;
    }
  });
  const done = new Promise<Record<string, unknown>[]>((resolve, reject) => {
    child.on('exit', (code) => (code === 0 ? resolve(lines) : reject(new Error(`worker exited with ${code}: ${stderr}`))));
  });
  return { lines, done, child };
}

export const coordinates = (t: Topology) =>
  t.kind === 'standalone' ? { kind: 'standalone', url: t.url } : t.kind === 'cluster' ? { kind: 'cluster', rootNodes: t.rootNodes } : t;

