import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  connectClient,
  dockerAnswers,
  findRedisServer,
  HarnessError,
  isPortFree,
  resolveRedis,
} from '@x/tooling/redis';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('resolveRedis', () => {
  it('uses REDIS_URL / REDIS_CLUSTER_NODES / REDIS_SENTINEL_NODES first and starts nothing', async () => {
    vi.stubEnv('REDIS_URL', 'redis://db.example:6380');
    vi.stubEnv('REDIS_CLUSTER_NODES', '10.0.0.1:7000, 10.0.0.2:7001');
    vi.stubEnv('REDIS_SENTINEL_NODES', '10.0.0.3:26379');
    vi.stubEnv('REDIS_SENTINEL_MASTER', 'prod');
    const standalone = await resolveRedis('standalone');
    expect(standalone).toMatchObject({ kind: 'standalone', source: 'env', url: 'redis://db.example:6380' });
    expect(standalone.summary).toContain('REDIS_URL');
    const cluster = await resolveRedis('cluster');
    expect(cluster).toMatchObject({
      source: 'env',
      rootNodes: [{ url: 'redis://10.0.0.1:7000' }, { url: 'redis://10.0.0.2:7001' }],
    });
    const sentinel = await resolveRedis('sentinel');
    expect(sentinel).toMatchObject({
      source: 'env',
      masterName: 'prod',
      sentinelRootNodes: [{ host: '10.0.0.3', port: 26379 }],
    });
    await standalone.stop();
  });

  it('falls back to the local redis-server and describes it in one line', async () => {
    vi.stubEnv('REDIS_URL', '');
    expect(findRedisServer()).toBeDefined();
    const resolved = await resolveRedis('standalone');
    try {
      expect(resolved.source).toBe('local-binary');
      expect(resolved.summary).toMatch(/^standalone redis-server \d+\.\d+\.\d+ on 127\.0\.0\.1:\d+ \(local binary\)$/);
      const client = await connectClient(resolved.url);
      expect(await client.ping()).toBe('PONG');
      client.destroy();
    } finally {
      await resolved.stop();
    }
    expect(await isPortFree(Number(new URL(resolved.url).port))).toBe(true);
  });

  it('fails fast with what to install when no source is available', async () => {
    const started = performance.now();
    if (await dockerAnswers()) {
      // A machine with Docker: the fallback must then work instead.
      const resolved = await resolveRedis('standalone', { sources: ['testcontainers'] });
      expect(resolved.source).toBe('testcontainers');
      await resolved.stop();
      return;
    }
    const error = await resolveRedis('standalone', { sources: ['testcontainers'] }).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(error).toBeInstanceOf(HarnessError);
    expect(error).toMatchObject({ name: 'HarnessError', code: 'NO_REDIS' });
    expect((error as Error).message).toContain('apt-get install redis-server');
    expect((error as Error).message).toContain('Docker');
    expect((error as Error).message).toContain('REDIS_URL');
  });

  it('rejects a REDIS_SERVER_BIN that is not an executable', async () => {
    vi.stubEnv('REDIS_SERVER_BIN', '/nonexistent/redis-server');
    expect(() => findRedisServer()).toThrow(HarnessError);
    await expect(resolveRedis('standalone', { sources: ['local-binary'] })).rejects.toMatchObject({
      code: 'BAD_REDIS_SERVER_BIN',
    });
  });
});
