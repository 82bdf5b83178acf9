import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getTopologies } from '@x/tooling/vitest';

const dir = join(import.meta.dirname, '..');
const tsxCli = (await import('node:module')).createRequire(import.meta.url).resolve('tsx/cli');

function demo(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; summary: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [tsxCli, 'src/main.ts', ...args, '--json'],
      { cwd: dir, env: { ...process.env, ...env }, timeout: 150_000, maxBuffer: 10 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const last = stdout.trim().split('\n').at(-1) ?? '';
        let summary: Record<string, unknown>;
        try {
          summary = JSON.parse(last) as Record<string, unknown>;
        } catch {
          reject(new Error(`no JSON summary (exit ${err?.code}):\n${stdout}\n${stderr}`));
          return;
        }
        resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, summary });
      },
    );
  });
}

describe('pnpm demo (a smaller run)', () => {
  it('serves every conversation across processes, survives a SIGKILLed worker, and its invariants hold', async () => {
    const { code, stdout, summary } = await demo(['--conversations', '36', '--workers', '3', '--concurrency', '3'], {
      REDIS_URL: getTopologies().standalone.url,
    });
    expect(summary).toMatchObject({ mode: 'redis', conversations: 36, completed: 36, messages: 36 * 3 * 2, ok: true });
    // The busiest worker at the crash point is killed, so the crash always interrupts work in flight.
    expect(summary.crashed).toMatch(/^w[1-3]$/);
    expect(stdout).toMatch(new RegExp(`killed worker ${String(summary.crashed)} with SIGKILL after \\d+ turns \\([1-9]\\d* conversation\\(s\\) in flight\\)`));
    expect(Object.values(summary.invariants as Record<string, boolean>).every(Boolean)).toBe(true);
    expect(Object.keys(summary.invariants as object)).toHaveLength(7);
    expect(summary.resumed).toBeGreaterThanOrEqual(1);
    expect(summary.cacheHits).toBeGreaterThan(0);
    expect(code).toBe(0);
  });

  it('runs every process on ioredis with --client ioredis, invariants intact', async () => {
    const { code, stdout, summary } = await demo(['--conversations', '8', '--workers', '2', '--no-crash', '--client', 'ioredis'], {
      REDIS_URL: getTopologies().standalone.url,
    });
    expect(stdout).toContain('(client: ioredis)');
    expect(summary).toMatchObject({ mode: 'redis', completed: 8, ok: true });
    expect(code).toBe(0);
  });

  it('exits non-zero and names the broken invariant when a message is duplicated', async () => {
    const { code, stdout, summary } = await demo(['--conversations', '6', '--workers', '2', '--no-crash'], {
      REDIS_URL: getTopologies().standalone.url,
      DEMO_INJECT_FAULT: 'duplicate-message',
    });
    expect(code).toBe(1);
    expect(summary.ok).toBe(false);
    expect(stdout).toMatch(/Broken: .*no message lost or duplicated/);
  });

  it('falls back to memory mode when no Redis can be had, and says what that mode cannot show', async () => {
    // No REDIS_URL, and a redis-server path that does not exist: the harness finds no Redis.
    const { code, stdout, summary } = await demo(['--conversations', '12', '--workers', '2', '--no-crash'], {
      REDIS_URL: '',
      REDIS_SERVER_BIN: join(dir, 'no-such-redis-server'),
    });
    expect(stdout).toContain('No Redis available');
    expect(stdout).toContain('cannot show several processes sharing state');
    expect(summary).toMatchObject({ mode: 'memory', completed: 12, ok: true });
    expect(code).toBe(0);
  });

  it('rejects bad options with usage', async () => {
    const result = await new Promise<{ code: number | undefined; stderr: string }>((resolve) =>
      execFile(process.execPath, [tsxCli, 'src/main.ts', '--workers', '1'], { cwd: dir }, (err, _o, stderr) =>
        resolve({ code: err?.code as number | undefined, stderr }),
      ),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the crash needs at least 2 workers');
  });
});

describe('pnpm demo --cluster (a smaller run)', () => {
  it(
    'runs on a local 3+3 cluster, survives a killed worker and a killed master with durable shared-backend writes, and its invariants hold',
    { timeout: 160_000 },
    async () => {
      const { code, stdout, summary } = await demo(['--cluster', '--conversations', '30', '--workers', '3', '--concurrency', '3']);
      expect(stdout).toContain('Redis: cluster of 3 masters + 3 replicas');
      expect(stdout).toMatch(/killed Redis master :\d+ with SIGKILL after \d+ turns; replica :\d+ promoted after \d+ ms/);
      expect(stdout).toMatch(/restarted :\d+: back as a replica \d+ ms after the kill/);
      // workerErrors first: when a worker fails, the diff names its error.
      expect(summary).toMatchObject({ workerErrors: [], mode: 'redis', conversations: 30, completed: 30, messages: 30 * 3 * 2, ok: true });
      const failover = summary.failover as { killedPort: number; promotedPort: number; failoverMs: number; recoveryMs: number };
      expect(failover.promotedPort).not.toBe(failover.killedPort);
      expect(failover.failoverMs).toBeGreaterThan(0);
      expect(failover.recoveryMs).toBeGreaterThan(0); // a worker served again after the promotion
      expect(summary.crashed).toMatch(/^w[1-3]$/);
      expect(Object.values(summary.invariants as Record<string, boolean>).every(Boolean)).toBe(true);
      expect(code).toBe(0);
    },
  );
});
