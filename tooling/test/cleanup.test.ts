import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isPortFree, reapOrphans, waitUntil } from '@x/tooling/redis';

const fixture = fileURLToPath(new URL('./fixtures/owner.ts', import.meta.url));
const toolingDir = path.dirname(path.dirname(fixture));

interface Owner {
  /** A harness dir of its own: no other harness process (or fixture) can reap its server. */
  harnessDir: string;
  port: number;
  pid: number;
  child: ReturnType<typeof spawn>;
  exited: Promise<number | null>;
}

const owners: Owner[] = [];

// Whatever a failing test left behind: kill the owner, reap its server, drop its dir.
afterAll(async () => {
  for (const owner of owners) {
    if (owner.child.exitCode === null && owner.child.signalCode === null) owner.child.kill('SIGKILL');
    await owner.exited;
    reapOrphans(owner.harnessDir);
    rmSync(owner.harnessDir, { recursive: true, force: true });
  }
});

/** Starts the fixture under tsx and waits until its server is up. */
async function startOwner(mode: string): Promise<Owner> {
  const harnessDir = mkdtempSync(path.join(os.tmpdir(), 'x-redis-harness-test-'));
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, mode], {
    cwd: toolingDir,
    env: { ...process.env, X_REDIS_HARNESS_DIR: harnessDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const owner: Owner = { harnessDir, port: 0, pid: 0, child, exited };
  owners.push(owner);
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', () => {});
  const line = await waitUntil(() => (out.includes('\n') ? out.split('\n')[0] : undefined), {
    timeoutMs: 20_000,
    what: `the ${mode} fixture to start its server`,
  });
  Object.assign(owner, JSON.parse(line!) as { port: number; pid: number });
  return owner;
}

const pidFile = (owner: Owner) => path.join(owner.harnessDir, 'pids', `${owner.pid}.json`);
const serverGone = (port: number) =>
  waitUntil(() => isPortFree(port), { timeoutMs: 5_000, what: `the server on ${port} to be gone` });

describe('servers never outlive their owner', () => {
  it.concurrent('records a pid file naming the owner', async () => {
    const owner = await startOwner('wait');
    expect(await isPortFree(owner.port)).toBe(false);
    const record = JSON.parse(readFileSync(pidFile(owner), 'utf8')) as { ownerPid: number; port: number };
    expect(record).toMatchObject({ ownerPid: owner.child.pid, port: owner.port });
    owner.child.kill('SIGTERM');
    await owner.exited;
    await serverGone(owner.port);
    expect(existsSync(pidFile(owner))).toBe(false);
  });

  it.concurrent('stops them when the owner exits without stop()', async () => {
    const owner = await startOwner('exit');
    expect(await owner.exited).toBe(0);
    await serverGone(owner.port);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it.concurrent(`stops them on ${signal} and still dies of the signal`, async () => {
      const owner = await startOwner('wait');
      owner.child.kill(signal);
      await owner.exited;
      expect(owner.child.signalCode).toBe(signal);
      await serverGone(owner.port);
    });
  }

  it.concurrent('stops them on an uncaught error', async () => {
    const owner = await startOwner('throw');
    expect(await owner.exited).not.toBe(0);
    await serverGone(owner.port);
  });

});

// After the block above, so its reaping cannot stand in for the exit hooks tested there.
describe('servers of a SIGKILLed owner', () => {
  it('are reaped on the next start', async () => {
    const owner = await startOwner('wait');
    owner.child.kill('SIGKILL');
    await owner.exited;
    // Nothing ran in the owner, so the server is still there until a reaper looks.
    expect(await isPortFree(owner.port)).toBe(false);
    expect(existsSync(pidFile(owner))).toBe(true);
    expect(reapOrphans(owner.harnessDir)).toBe(1);
    await serverGone(owner.port);
    expect(existsSync(pidFile(owner))).toBe(false);
  });
});
