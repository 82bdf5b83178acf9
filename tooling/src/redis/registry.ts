/**
 * Bookkeeping so no redis-server outlives the process that started it:
 * - live servers are killed on process exit, SIGINT/SIGTERM/SIGHUP and uncaught errors;
 * - every server has a pid file under `os.tmpdir()/x-redis-harness/pids/` naming its owner,
 *   and each new start kills servers whose owner is gone (runs that were SIGKILLed).
 * `X_REDIS_HARNESS_DIR` moves that directory (the harness's own tests use a private one).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const HARNESS_DIR = process.env.X_REDIS_HARNESS_DIR ?? path.join(os.tmpdir(), 'x-redis-harness');
const PID_DIR = path.join(HARNESS_DIR, 'pids');

export interface PidRecord {
  pid: number;
  ownerPid: number;
  port: number;
  dir: string;
  startedAt: string;
}

export interface TrackedServer {
  /** Synchronous last-resort kill (SIGKILL + remove temp dir). */
  killNow(): void;
}

const live = new Set<TrackedServer>();
let hooksInstalled = false;

function killAll(): void {
  for (const server of [...live]) {
    try {
      server.killNow();
    } catch {
      // best effort: we are going down anyway
    }
  }
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  killAll();
  process.off(signal, onSignal);
  // If nobody else handles the signal, restore the default behaviour (terminate).
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAll);
  // The monitor variant does not change how uncaught errors end the process. Where someone
  // handles them (vitest workers report and carry on), the servers stay until exit.
  process.on('uncaughtExceptionMonitor', () => {
    if (process.listenerCount('uncaughtException') === 0) killAll();
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
}

export function track(server: TrackedServer): void {
  installHooks();
  live.add(server);
}

export function untrack(server: TrackedServer): void {
  live.delete(server);
}

export function newServerDir(label: string): string {
  mkdirSync(HARNESS_DIR, { recursive: true });
  const dir = path.join(HARNESS_DIR, `${label}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function pidFile(pid: number): string {
  return path.join(PID_DIR, `${pid}.json`);
}

export function writePidFile(record: PidRecord): void {
  mkdirSync(PID_DIR, { recursive: true });
  writeFileSync(pidFile(record.pid), JSON.stringify(record));
}

export function removePidFile(pid: number): void {
  rmSync(pidFile(pid), { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Guards against pid reuse: only ever kill a process that is a redis-server. */
function isRedisServer(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('redis-server');
  } catch {
    try {
      return execFileSync('ps', ['-p', String(pid), '-o', 'command='], { encoding: 'utf8' }).includes('redis-server');
    } catch {
      return false;
    }
  }
}

/**
 * Kills servers left behind by owners that no longer exist (pid files under `harnessDir`).
 * Returns how many it killed.
 */
export function reapOrphans(harnessDir = HARNESS_DIR): number {
  const pidDir = path.join(harnessDir, 'pids');
  let entries: string[];
  try {
    entries = readdirSync(pidDir);
  } catch {
    return 0;
  }
  let killed = 0;
  for (const entry of entries) {
    if (!entry.endsWith('.json')) continue;
    const file = path.join(pidDir, entry);
    let record: PidRecord;
    try {
      record = JSON.parse(readFileSync(file, 'utf8')) as PidRecord;
    } catch {
      continue; // being written right now by another process, or garbage: leave it
    }
    if (isAlive(record.ownerPid)) continue;
    if (isAlive(record.pid) && isRedisServer(record.pid)) {
      try {
        process.kill(record.pid, 'SIGKILL');
        killed++;
      } catch {
        // already gone
      }
    }
    rmSync(file, { force: true });
    if (record.dir.startsWith(harnessDir)) rmSync(record.dir, { recursive: true, force: true });
  }
  return killed;
}
