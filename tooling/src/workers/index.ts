// Worker processes for multi-process tests: a child Node process given a JSON config in argv[2],
// printing one JSON object per line on stdout.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import type { Topology } from '../redis/topology.js';

/** How a test drives one worker process. */
export interface WorkerProcess {
  readonly child: ChildProcess;
  /** The JSON lines printed so far, in order. */
  readonly lines: Record<string, unknown>[];
  /** Settles when the process exits, with its exit code or signal and everything it wrote to stderr. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  /** Resolves with the lines when the process exits with code 0; rejects with its stderr otherwise. */
  readonly done: Promise<Record<string, unknown>[]>;
  /** stderr so far (and stdout lines that were not JSON). */
  stderr(): string;
  /** Writes one line to the worker's stdin (only with `stdin: true`). */
  send(line: string): void;
}

export interface WorkerOptions {
  /** Working directory of the child (a package folder, so its dependencies resolve). */
  cwd: string;
  /** Run a `.ts` file through tsx (default: the file is plain JavaScript for `node`). */
  tsx?: boolean;
  /** Keep stdin open for {@link WorkerProcess.send} (default: ignored). */
  stdin?: boolean;
}

const tsxCli = () => createRequire(import.meta.url).resolve('tsx/cli');

/** Starts `file` as a child process with `config` as JSON in argv[2]. */
export function startJsonWorker(file: string, config: object, options: WorkerOptions): WorkerProcess {
  const args = options.tsx ? [tsxCli(), file] : [file];
  const child = spawn(process.execPath, [...args, JSON.stringify(config)], {
    stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    cwd: options.cwd,
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
  const done = exited.then(({ code, signal }) => {
    if (code === 0) return lines;
    throw new Error(`worker exited with ${code ?? signal}: ${stderr}`);
  });
  done.catch(() => undefined); // observed by the caller when it cares
  return {
    child,
    lines,
    exited,
    done,
    stderr: () => stderr,
    send(line) {
      if (!child.stdin) throw new Error('the worker was started without stdin: true');
      child.stdin.write(`${line}\n`);
    },
  };
}

/** The connection target a worker process is given for a topology: a URL, or `{ rootNodes }` for a cluster. */
export function workerTarget(t: Topology): string | { rootNodes: { url: string }[] } {
  if (t.kind === 'standalone') return t.url;
  if (t.kind === 'cluster') return { rootNodes: t.rootNodes };
  throw new Error(`no worker target for ${t.kind}`);
}
