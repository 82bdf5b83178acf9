import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { HarnessError } from './errors.js';
import { rawInfo } from './ping.js';
import { newServerDir, reapOrphans, removePidFile, track, untrack, writePidFile, type TrackedServer } from './registry.js';
import { waitUntil } from './wait.js';

export interface ServerProcessOptions {
  bin: string;
  port: number;
  /** Short label used for the temp dir name, e.g. "standalone", "cluster-node". */
  label: string;
  /**
   * Arguments after the binary, computed from the final port and the server's temp dir.
   * The launcher adds nothing by itself, see {@link baseServerArgs}.
   */
  args: (port: number, dir: string) => string[];
  /** Files to write into the dir before every start (e.g. a sentinel config). */
  files?: (port: number, dir: string) => Record<string, string>;
  readyTimeoutMs?: number;
}

export const HOST = '127.0.0.1';

/** The flags every harness server runs with: loopback only, no persistence, logs in its dir. */
export function baseServerArgs(port: number, dir: string): string[] {
  return [
    '--port', String(port),
    '--bind', HOST,
    '--daemonize', 'no',
    '--save', '',
    '--appendonly', 'no',
    '--dir', dir,
    '--logfile', path.join(dir, 'redis.log'),
    // Tests of "holder is paused" and friends use DEBUG SLEEP; only allowed from loopback.
    '--enable-debug-command', 'local',
    // Replicas sync at once instead of after the default 5 s diskless-sync delay.
    '--repl-diskless-sync-delay', '0',
  ];
}

/**
 * One redis-server child process with its own temp dir. It can be stopped, SIGKILLed and
 * started again on the same port (with empty data, as persistence is off).
 */
export class RedisServerProcess implements TrackedServer {
  readonly host = HOST;
  readonly dir: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private output = '';
  private spawnFailed = false;

  constructor(private readonly options: ServerProcessOptions) {
    this.dir = newServerDir(options.label);
  }

  get port(): number {
    return this.options.port;
  }

  get url(): string {
    return `redis://${HOST}:${this.options.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    const child = this.child;
    return child?.pid !== undefined && child.exitCode === null && child.signalCode === null && !this.spawnFailed;
  }

  /** Spawns the server and resolves once it answers PING. */
  async start(): Promise<void> {
    if (this.running) return;
    reapOrphans();
    const { bin, port } = this.options;
    mkdirSync(this.dir, { recursive: true });
    for (const [name, content] of Object.entries(this.options.files?.(port, this.dir) ?? {})) {
      writeFileSync(path.join(this.dir, name), content);
    }
    rmSync(path.join(this.dir, 'redis.log'), { force: true });
    this.output = '';
    const child = spawn(bin, this.options.args(port, this.dir), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exited = new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', () => resolve()); // spawn failed: there will be no exit event
    });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.spawnFailed = false;
    child.once('error', (error) => {
      this.spawnFailed = true;
      keep(Buffer.from(String(error)));
    });
    // Do not keep the owner alive just because a server runs; the exit hook kills it.
    child.unref();
    (child.stdout as unknown as { unref?: () => void } | null)?.unref?.();
    (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
    if (child.pid !== undefined) {
      writePidFile({ pid: child.pid, ownerPid: process.pid, port, dir: this.dir, startedAt: new Date().toISOString() });
      track(this);
    }
    try {
      await waitUntil(
        async () => {
          if (!this.running) throw new HarnessError('SERVER_EXITED', 'redis-server exited during startup');
          // Check the pid so another server already on this port can never pass for ours.
          const info = await rawInfo(HOST, port, 'server');
          return info?.process_id === String(child.pid);
        },
        { timeoutMs: this.options.readyTimeoutMs ?? 10_000, intervalMs: 10, what: `redis-server on ${HOST}:${port}` },
      );
    } catch (error) {
      const details = this.describeFailure();
      await this.kill();
      throw new HarnessError('SERVER_START_FAILED', `redis-server on ${HOST}:${port} did not start: ${details}`, {
        cause: error,
      });
    }
  }

  /** The server's own words on why it failed, from its log or its stdout/stderr. */
  describeFailure(): string {
    const log = path.join(this.dir, 'redis.log');
    const text = (existsSync(log) ? readFileSync(log, 'utf8') : '') + this.output;
    const lines = text.trim().split('\n').filter((line) => line.trim() !== '');
    return lines.slice(-5).join(' | ') || 'no output';
  }

  /** True when the last start failed because the port was taken. */
  failedOnPortInUse(): boolean {
    return /address already in use|could not create server tcp listening socket/i.test(this.describeFailure());
  }

  /** Graceful stop (SIGTERM, SIGKILL after `graceMs`). Keeps the temp dir so it can start again. */
  async stop(graceMs = 3000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return this.forget();
    child.ref(); // the child is unref'd; keep the loop alive until its exit event
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
    this.forget();
  }

  /** SIGKILL, as a crash would. */
  async kill(): Promise<void> {
    const child = this.child;
    if (child && this.running) {
      child.ref();
      child.kill('SIGKILL');
      await this.exited;
    }
    this.forget();
  }

  /** Stops the server and deletes its temp dir. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Synchronous variant for the process-exit hook. */
  killNow(): void {
    if (this.child && this.running) this.child.kill('SIGKILL');
    this.forget();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private forget(): void {
    if (this.child?.pid !== undefined) removePidFile(this.child.pid);
    untrack(this);
  }
}
